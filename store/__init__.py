"""Graph stores: the embedded LadybugDB and Neo4j, and the guard on analysts' Cypher."""

"""Named Cypher queries, one ``.cypher`` file each, run unchanged on every store."""

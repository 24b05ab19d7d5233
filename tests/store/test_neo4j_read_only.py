"""Analysts' Cypher cannot change a live Neo4j: writes, ``LOAD CSV``, ``CALL … IN TRANSACTIONS``
and side-effect procedures are refused, by the allow-list before the server and by the server
itself (READ access mode, explicit transactions) past it; slow queries stop, rows are capped."""

from __future__ import annotations

import pytest

from challenge_graph.graph.errors import QueryError, QueryTimeoutError

REFUSED = [
    "CREATE (:Tool {id: 'evil'})",
    "MATCH (t:Tool) SET t.name = 'evil'",
    "MATCH (t:Tool) DETACH DELETE t",
    "MERGE (:Evil {id: 1})",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS row CREATE (:Evil {row: row})",
    "CALL { MATCH (t:Tool) DETACH DELETE t } IN TRANSACTIONS OF 10 ROWS",
    "MATCH (t:Tool) CALL { WITH t DELETE t } IN TRANSACTIONS RETURN 1",
    "CALL db.createLabel('Evil')",
    "CALL db.createProperty('evil')",
    "CALL db.createRelationshipType('EVIL')",
    "CREATE INDEX evil IF NOT EXISTS FOR (t:Tool) ON (t.name)",
    "DROP CONSTRAINT challenge_graph_tool_id",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
    "CREATE DATABASE evil",
    "ALTER USER neo4j SET PASSWORD 'evil-evil'",
]
# refused by the server itself in a read transaction, whatever the client lets through
SERVER_REFUSES = REFUSED[:4] + REFUSED[5:12]


def _state(store):
    """What a refused statement must leave as it was: the graph, labels, keys, schema."""
    records = lambda q: store.driver.execute_query(q, database_=store.database).records  # noqa: E731
    return (
        records("MATCH (n) RETURN count(n) AS n, collect(DISTINCT n.name)[..50] AS names")[0].values(),
        records("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"],
        sorted(r["label"] for r in records("CALL db.labels()")),
        sorted(r["propertyKey"] for r in records("CALL db.propertyKeys()")),
        sorted(r["relationshipType"] for r in records("CALL db.relationshipTypes()")),
        sorted(r["name"] for r in records("SHOW INDEXES YIELD name")),
    )


@pytest.mark.parametrize("cypher", REFUSED)
def test_the_console_refuses_it_and_nothing_changes(neo4j_examples, cypher):
    before = _state(neo4j_examples)
    for run in (neo4j_examples.run, neo4j_examples.run_analyst):
        with pytest.raises(QueryError):
            run(cypher)
    assert _state(neo4j_examples) == before


@pytest.mark.parametrize("cypher", SERVER_REFUSES)
def test_past_the_allow_list_the_server_refuses_it_too(neo4j_examples, cypher):
    before = _state(neo4j_examples)
    with pytest.raises(QueryError):
        neo4j_examples._execute(cypher, {})
    with pytest.raises(QueryError):
        neo4j_examples._execute_analyst(cypher, {}, 10.0, None)
    assert _state(neo4j_examples) == before


def test_analyst_queries_stop_at_their_time_limit(neo4j_examples):
    with pytest.raises(QueryTimeoutError, match="query stopped after 0.5 s"):
        neo4j_examples.run_analyst(
            "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x)", timeout=0.5
        )


def test_analyst_rows_are_capped_and_marked(neo4j_examples):
    excerpts = neo4j_examples.run("MATCH (e:Excerpt) RETURN count(e)").rows[0][0]
    result = neo4j_examples.run_analyst("MATCH (e:Excerpt) RETURN e.id ORDER BY e.id", max_rows=10)
    assert len(result.rows) == 10 and result.truncated and excerpts > 10
    whole = neo4j_examples.run_analyst("MATCH (e:Excerpt) RETURN e.id ORDER BY e.id", max_rows=excerpts)
    assert len(whole.rows) == excerpts and not whole.truncated
    assert whole.rows[:10] == result.rows

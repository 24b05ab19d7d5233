"""The Neo4j store's batching, transactions and error messages, without a server: the store
talks to a ``MagicMock(spec=neo4j.Driver)`` that answers with the driver's own result objects."""
from __future__ import annotations

from unittest.mock import MagicMock

import neo4j
import pytest
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from graph.build import build_graph
from graph.errors import QueryError, ReadOnlyError, StoreError
from graph.model import NODES, RELATIONSHIPS, SourceFile
from graph.neo4j_store import Neo4jStore, constraint_statements
from loaders import load_paths
from tests.conftest import INTERVIEW_35


def _result(rows=(), keys=("n",)):
    return neo4j.EagerResult([neo4j.Record(dict(zip(keys, r))) for r in rows], MagicMock(), list(keys))


def _driver(answer=None):
    driver = MagicMock(spec=neo4j.Driver)
    driver.execute_query.side_effect = answer or (lambda q, p=None, **kw: _result([(0,)]) if "count(*) AS n" in q else _result())
    return driver


@pytest.fixture(scope="module")
def graph(codebook):
    return build_graph(load_paths([INTERVIEW_35]).records, codebook)


def _calls(driver):
    return [(c.args[0], c.args[1] if len(c.args) > 1 else {}, c.kwargs) for c in driver.execute_query.call_args_list]


def test_load_writes_constraints_then_batches_in_write_transactions(graph):
    driver = _driver()
    store = Neo4jStore(driver, "bolt://db:7687", database="research", batch_size=100)
    source = SourceFile("interview-35-ilan.txt", INTERVIEW_35.read_bytes())
    store.replace_graph(graph, [source], SourceFile("cb.yaml", b"workflow: []"))
    calls = _calls(driver)
    assert [q for q, _, _ in calls[: len(NODES)]] == constraint_statements()
    assert all(kw == {"database_": "research", "routing_": neo4j.RoutingControl.WRITE} for _, _, kw in calls)
    excerpt_batches = [p for q, p, _ in calls if q.startswith("UNWIND $rows AS row MERGE (n:Excerpt {id: row.id})")]
    n_excerpts = len(graph.node_rows("Excerpt"))
    assert [len(p["rows"]) for p in excerpt_batches] == [100] * (n_excerpts // 100) + [n_excerpts % 100]
    generation = excerpt_batches[0]["generation"]
    assert all(p["generation"] == generation for q, p, _ in calls if "rows" in p)
    coded = next(q for q, _, _ in calls if "MERGE (a)-[r:CODED_AS" in q)
    assert coded == ("UNWIND $rows AS row MATCH (a:Excerpt {id: row.src}) MATCH (b:Challenge {id: row.dst}) "
                     "MERGE (a)-[r:CODED_AS {coder: row.coder}]->(b) SET r.loadGeneration = $generation")
    # the source's contents travel with it, so a later load can rebuild the graph from the server
    sources = [p for q, p, _ in calls if "MERGE (n:Source" in q][0]["rows"]
    assert {r["name"]: r["data"] for r in sources}["interview-35-ilan.txt"] == INTERVIEW_35.read_bytes()
    # then earlier loads' leftovers are swept, relationships first
    sweeps = [q for q, p, _ in calls if "<> $generation" in q]
    assert len(sweeps) == len(NODES) + len(RELATIONSHIPS)
    assert sweeps[0].startswith("MATCH ()-[r:INTERVIEWED_IN]->() WHERE r.loadGeneration <> $generation")


def test_sweep_repeats_until_nothing_is_left(graph):
    left = {"n": 2}

    def answer(q, p=None, **kw):
        if "MATCH (n:Excerpt) WHERE n.loadGeneration <> $generation" in q:
            left["n"] = max(0, left["n"] - 1)
            return _result([(1 if left["n"] else 0,)])
        return _result([(0,)]) if "count(*) AS n" in q else _result()

    driver = _driver(answer)
    Neo4jStore(driver, "bolt://db", batch_size=1000).replace_graph(graph, [], SourceFile("cb.yaml", b""))
    excerpt_sweeps = [c for c in _calls(driver) if "MATCH (n:Excerpt) WHERE n.loadGeneration" in c[0]]
    assert len(excerpt_sweeps) == 2 and excerpt_sweeps[0][1]["batch"] == 1000


def test_reads_run_in_read_transactions():
    driver = _driver(lambda q, p=None, **kw: _result([("Robustness", 4)], keys=("name", "quotes")))
    store = Neo4jStore(driver, "bolt://db", database="neo4j")
    result = store.run("MATCH (c:Challenge {code: $code}) RETURN c.name AS name", {"code": "QM-robustness"})
    assert result.columns == ["name", "quotes"] and result.rows == [("Robustness", 4)]
    driver.execute_query.assert_called_once_with(
        "MATCH (c:Challenge {code: $code}) RETURN c.name AS name", {"code": "QM-robustness"},
        database_="neo4j", routing_=neo4j.RoutingControl.READ,
    )


def test_writes_are_refused_before_reaching_the_server():
    driver = _driver()
    with pytest.raises(ReadOnlyError, match="read-only: MERGE is not allowed here"):
        Neo4jStore(driver, "bolt://db").run("MERGE (t:Tool {id: 'x'})")
    with pytest.raises(ReadOnlyError, match="CALL DBMS"):
        Neo4jStore(driver, "bolt://db").run("CALL dbms.security.createUser('x', 'y')")
    driver.execute_query.assert_not_called()


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ServiceUnavailable("Couldn't connect"), "cannot reach Neo4j at bolt://db:7687: is the server running? (docker compose up -d neo4j)"),
        (AuthError("unauthorized"), "Neo4j at bolt://db:7687 refused the user name or password (NEO4J_USERNAME, NEO4J_PASSWORD)"),
        (Neo4jError._hydrate_neo4j(code="Neo.ClientError.Database.DatabaseNotFound", message="Database does not exist."),
         "Neo4j at bolt://db:7687 has no database 'research' (NEO4J_DATABASE)"),
    ],
)
def test_server_errors_are_one_clear_message(error, message):
    driver = _driver()
    driver.execute_query.side_effect = error
    with pytest.raises(StoreError) as e:
        Neo4jStore(driver, "bolt://db:7687", database="research").run("RETURN 1")
    assert str(e.value) == message


def test_query_errors_keep_the_server_message():
    driver = _driver()
    driver.execute_query.side_effect = Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError", message="Invalid input 'RETRN'")
    with pytest.raises(QueryError, match="Invalid input 'RETRN'"):
        Neo4jStore(driver, "bolt://db").run("RETRN 1")


def test_cli_reports_an_unreachable_server(monkeypatch):
    from click.testing import CliRunner

    from challenge_graph.cli import cli

    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    result = CliRunner().invoke(cli, ["query", "top-challenges", "--neo4j"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: cannot reach Neo4j at bolt://127.0.0.1:9: is the server running? (docker compose up -d neo4j)"

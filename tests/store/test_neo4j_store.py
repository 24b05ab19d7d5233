"""The Neo4j store against a live Neo4j 5.26 server (``python tests/neo4j_server.py start``):
what a load writes, how it sweeps, how reads are kept read-only, and its error messages.
Expected figures come from the embedded store loaded from the same files, never from this store."""

from __future__ import annotations

import neo4j
import pytest

from challenge_graph.graph.errors import QueryError, ReadOnlyError, StoreError
from challenge_graph.graph.model import NODES, RELATIONSHIPS
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.runner import run_query
from challenge_graph.store.neo4j_store import INDEXES, Neo4jStore
from tests.conftest import EXAMPLES, INTERVIEW_35, connect_neo4j


def _counts(store):
    """Nodes per label and relationships per type, counted one query each."""
    nodes = {label: store.run(f"MATCH (n:{label}) RETURN count(n)").rows[0][0] for label in NODES}
    rels = {rel: store.run(f"MATCH ()-[r:{rel}]->() RETURN count(r)").rows[0][0] for rel in RELATIONSHIPS}
    return nodes, rels


def _write(store, cypher, **params):
    return store.driver.execute_query(cypher, params, database_=store.database).records


def test_load_gives_the_embedded_stores_graph_label_by_label(neo4j_examples, sample_store):
    assert _counts(neo4j_examples) == _counts(sample_store)
    assert _counts(neo4j_examples)[0]["Excerpt"] > 400  # a real corpus, not two empty graphs


def test_every_label_has_a_uniqueness_constraint_on_id(neo4j_examples):
    rows = _write(
        neo4j_examples,
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties",
    )
    assert {(r["label"], tuple(r["properties"])) for r in rows} >= {(label, ("id",)) for label in NODES}


def test_the_load_creates_the_indexes_the_queries_read(neo4j_examples, sample_store):
    """The index coded-units' Neo4j form can read its page through (whether the planner does is
    measured by the benchmark, not here: it depends on the graph's size), and that form's pages
    are the embedded store's."""
    _write(neo4j_examples, "CALL db.awaitIndexes(60)")  # one made over existing nodes fills in the background
    indexes = _write(
        neo4j_examples,
        "SHOW INDEXES YIELD type, labelsOrTypes, properties, state WHERE type = 'RANGE' "
        "RETURN labelsOrTypes[0] AS label, properties, state",
    )
    found = {(r["label"], tuple(r["properties"])): r["state"] for r in indexes}  # the name may be another's
    assert ("Excerpt", ("interview", "position")) in INDEXES.values()
    assert all(found.get(index) == "ONLINE" for index in INDEXES.values())
    for page in ("1", "2", "all"):
        rows = run_query(neo4j_examples, "coded-units", {"page": page}).rows
        assert rows and rows == run_query(sample_store, "coded-units", {"page": page}).rows


def test_everything_carries_the_generation_of_the_last_load(neo4j_examples):
    (generation,) = neo4j_examples.version().split(",")
    stamps = _write(
        neo4j_examples,
        "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:ChallengeGraphLock RETURN collect(DISTINCT n.loadGeneration) AS g",
    )[0]["g"]
    rel_stamps = _write(neo4j_examples, "MATCH ()-[r]->() RETURN collect(DISTINCT r.loadGeneration) AS g")[0]["g"]
    assert stamps == rel_stamps == [generation]


def test_sources_travel_with_the_graph(neo4j_examples, sample_store):
    on_server = {s.name: s.data for s in neo4j_examples.sources()}
    assert on_server == {s.name: s.data for s in sample_store.sources()}
    assert on_server["cote-2024/delve/interview-35-ilan.txt"] == INTERVIEW_35.read_bytes()
    assert neo4j_examples.codebook().data == sample_store.codebook().data


def test_small_batches_give_the_same_graph(neo4j_env, neo4j_store, sample_store, one_study):
    small = connect_neo4j(neo4j_env, batch_size=7)
    try:
        ingest(small, [one_study], replace=True)
        assert _counts(small) == _counts(sample_store)
    finally:
        small.close()


def test_a_load_sweeps_what_earlier_loads_left_but_not_foreign_nodes(neo4j_examples, sample_store, one_study):
    _write(neo4j_examples, "CREATE (:Tool {id: 'stale-tool', name: 'Gone', loadGeneration: 'old'})")
    _write(
        neo4j_examples,
        "MATCH (t:Tool) WITH t LIMIT 1 "
        "CREATE (t)-[:MENTIONS {loadGeneration: 'old'}]->(:Tool {id: 'stale-2', loadGeneration: 'old'})",
    )
    _write(neo4j_examples, "CREATE (:Invoice {id: 'foreign', total: 12})")
    try:
        ingest(neo4j_examples, [one_study])
        assert _counts(neo4j_examples) == _counts(sample_store)
        assert not neo4j_examples.run("MATCH (t:Tool) WHERE t.id STARTS WITH 'stale' RETURN t").rows
        assert _write(neo4j_examples, "MATCH (i:Invoice {id: 'foreign'}) RETURN i.total AS total")[0]["total"] == 12
    finally:
        _write(neo4j_examples, "MATCH (i:Invoice) DELETE i")


def test_a_load_leaves_no_property_an_earlier_version_wrote(neo4j_examples, sample_store, one_study):
    """Nodes are set whole: coded turns written with an earlier model's lists lose them (their ids
    did not change), while an excerpt keeps what the semantic extra added to it."""
    _write(neo4j_examples, "MATCH (t:CodedTurns) SET t.interviews = ['x'], t.positions = [1]")
    _write(neo4j_examples, "MATCH (c:Challenge) SET c.retired = true")
    (kept,) = _write(
        neo4j_examples,
        "MATCH (e:Excerpt) WITH e LIMIT 1 SET e.textHash = 'h', e.embeddingModel = 'm' RETURN e.id AS id",
    )
    try:
        ingest(neo4j_examples, [one_study])
        assert neo4j_examples.run("MATCH (t:CodedTurns) RETURN count(t)").rows[0][0] > 0
        stale = "MATCH (t:CodedTurns) WHERE t.interviews IS NOT NULL OR t.positions IS NOT NULL RETURN t.id"
        assert not neo4j_examples.run(stale).rows
        assert not neo4j_examples.run("MATCH (c:Challenge) WHERE c.retired IS NOT NULL RETURN c.id").rows
        extra = neo4j_examples.run(
            "MATCH (e:Excerpt {id: $id}) RETURN e.textHash, e.embeddingModel", {"id": kept["id"]}
        ).rows
        assert extra == [("h", "m")]
        assert _counts(neo4j_examples) == _counts(sample_store)
    finally:
        _write(neo4j_examples, "MATCH (e:Excerpt) REMOVE e.textHash, e.embeddingModel")


def test_reads_run_in_read_transactions_that_the_server_keeps_read_only(neo4j_examples):
    result = neo4j_examples.run("MATCH (c:Challenge {code: $code}) RETURN c.name AS name", {"code": "QM-robustness"})
    assert result.columns == ["name"] and len(result.rows) == 1
    # past the client's check, the server itself refuses: the read path asks for READ access
    with pytest.raises(QueryError, match="Writing in read access mode not allowed"):
        neo4j_examples._execute("CREATE (:Tool {id: 'sneaked-in'})", {})
    assert not neo4j_examples.run("MATCH (t:Tool {id: 'sneaked-in'}) RETURN t").rows


def test_writes_are_refused_before_reaching_the_server(neo4j_examples):
    before = _counts(neo4j_examples)
    with pytest.raises(ReadOnlyError, match="read-only: MERGE is not allowed here"):
        neo4j_examples.run("MERGE (t:Tool {id: 'x'})")
    with pytest.raises(ReadOnlyError, match="DETACH"):
        neo4j_examples.run("MATCH (n) DETACH DELETE n")
    assert _counts(neo4j_examples) == before


def test_query_errors_keep_the_server_message(neo4j_store):
    with pytest.raises(QueryError, match="Unknown function 'noSuchFunction'"):
        neo4j_store.run("MATCH (n) RETURN noSuchFunction(n)")


def test_wrong_password_is_one_clear_message(neo4j_env):
    with pytest.raises(StoreError) as e:
        Neo4jStore.connect(neo4j_env["NEO4J_URI"], neo4j_env["NEO4J_USERNAME"], "not-the-password")
    assert str(e.value) == (
        f"Neo4j at {neo4j_env['NEO4J_URI']} refused the user name or password (NEO4J_USERNAME, NEO4J_PASSWORD)"
    )
    assert neo4j_env["NEO4J_PASSWORD"] not in str(e.value)


def test_wrong_database_is_one_clear_message(neo4j_env):
    with pytest.raises(StoreError) as e:
        connect_neo4j({**neo4j_env, "NEO4J_DATABASE": "research"})
    assert str(e.value) == f"Neo4j at {neo4j_env['NEO4J_URI']} has no database 'research' (NEO4J_DATABASE)"


def test_server_down_is_one_clear_message(unused_port):
    uri = f"bolt://127.0.0.1:{unused_port}"
    with pytest.raises(StoreError) as e:
        Neo4jStore.connect(uri, "neo4j", "whatever")
    assert str(e.value) == f"cannot reach Neo4j at {uri}: is the server running? (docker compose up -d neo4j)"


def test_the_driver_talks_to_neo4j_5_26_community(neo4j_store):
    rows = _write(neo4j_store, "CALL dbms.components() YIELD name, versions, edition RETURN *")
    assert rows[0]["versions"][0].startswith("5.26") and rows[0]["edition"] == "community"
    assert isinstance(neo4j_store.driver, neo4j.Driver)


def test_an_empty_database_is_empty_to_the_store(neo4j_store):
    ingest(neo4j_store, [EXAMPLES], replace=True)
    _write(neo4j_store, "MATCH (n) WHERE NOT n:ChallengeGraphLock DETACH DELETE n")
    assert neo4j_store.is_empty() and neo4j_store.codebook() is None and neo4j_store.version() == ""

"""Loads into a live Neo4j through the command line: the examples and the sample Delve PDFs give
the embedded store's graph, loading twice changes nothing, a killed load completes on re-run,
concurrent loads lose nothing, ``--replace`` spares other applications' nodes, and a wrong
password, a server that is down or a wrong database name are one line and exit code 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from benchmarks.generate import generate_corpus
from benchmarks.neo4j import empty_graph
from challenge_graph.graph.model import NODES, RELATIONSHIPS
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore
from challenge_graph.store.neo4j_lock import LOCK_LABEL
from tests.conftest import EXAMPLES, FIXTURES

PDFS = FIXTURES / "delve-pdf"
KILL_AFTER = (0.5, 2.0)  # seconds after the load has taken the lock


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neo4j-corpus")
    # interviews 0-29: no title shared with the examples (35, 38), so any load order gives one graph
    generate_corpus(folder / "a", 30, seed=2)
    return folder


def _cli(env, *args, wait=True):
    command = [sys.executable, "-m", "challenge_graph", *map(str, args)]
    environment = {**os.environ, **env}
    if wait:
        return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _dump(store):
    """Every node and relationship of the graph model with its properties, minus the load stamp."""
    labels = list(NODES)
    nodes = store.driver.execute_query(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) RETURN labels(n) AS labels, properties(n) AS p",
        {"labels": labels},
        database_=store.database,
    ).records
    rels = store.driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE type(r) IN $types RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p",
        {"types": list(RELATIONSHIPS)},
        database_=store.database,
    ).records
    clean = lambda p: sorted((k, v) for k, v in p.items() if k != "loadGeneration")  # noqa: E731
    return (
        sorted(repr((r["labels"], clean(r["p"]))) for r in nodes),
        sorted(repr((r["t"], r["a"], r["b"], clean(r["p"]))) for r in rels),
    )


def _counts(store):
    nodes = {label: store.run(f"MATCH (n:{label}) RETURN count(n)").rows[0][0] for label in NODES}
    rels = {rel: store.run(f"MATCH ()-[r:{rel}]->() RETURN count(r)").rows[0][0] for rel in RELATIONSHIPS}
    return nodes, rels


def _embedded(tmp_path, *paths):
    store = LadybugStore(tmp_path / f"ref-{len(list(tmp_path.iterdir()))}")
    ingest(store, list(paths))
    return store


def _holder_pid(store):
    rows = store.driver.execute_query(
        f"MATCH (l:{LOCK_LABEL} {{id: 'load'}}) RETURN l.pid AS pid", database_=store.database
    ).records
    return rows[0]["pid"] if rows else None


def _wait_for_lock(store, process, timeout=120):
    deadline = time.monotonic() + timeout
    while _holder_pid(store) != process.pid:
        assert process.poll() is None, "the load ended before it took the lock"
        assert time.monotonic() < deadline, "the load never took the lock"
        time.sleep(0.05)


def test_examples_and_the_sample_delve_pdfs_load_as_on_the_embedded_store(neo4j_env, neo4j_store, tmp_path):
    loaded = _cli(neo4j_env, "load", EXAMPLES, PDFS, "--neo4j", "--replace")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("Loaded 23 file(s) into Neo4j at " + neo4j_env["NEO4J_URI"])  # 14 + 9 PDFs
    reference = _embedded(tmp_path, EXAMPLES, PDFS)
    assert _counts(neo4j_store) == _counts(reference)
    assert _counts(neo4j_store)[0]["Interview"] == 4 + 3  # the examples' four, interviews 5, 10 and 19
    assert {c for (c,) in neo4j_store.run("MATCH (c:Coder) RETURN c.name").rows} >= {"PO", "Rached", "Amin"}


def test_loading_the_same_files_twice_gives_the_same_graph(neo4j_env, neo4j_store):
    assert _cli(neo4j_env, "load", EXAMPLES, PDFS, "--neo4j", "--replace").returncode == 0
    first = _dump(neo4j_store)
    assert _cli(neo4j_env, "load", PDFS, EXAMPLES, "--neo4j").returncode == 0
    assert _dump(neo4j_store) == first and len(first[0]) > 500


def test_a_load_killed_midway_completes_on_rerun(neo4j_env, neo4j_store, corpus, tmp_path):
    assert _cli(neo4j_env, "load", EXAMPLES, corpus / "a", "--neo4j", "--replace", "-s").returncode == 0
    complete = _dump(neo4j_store)
    assert _counts(neo4j_store) == _counts(_embedded(tmp_path, EXAMPLES, corpus / "a"))
    midway = 0
    for delay in KILL_AFTER:
        assert _cli(neo4j_env, "load", EXAMPLES, "--neo4j", "--replace", "-s").returncode == 0
        process = _cli(neo4j_env, "load", corpus / "a", "--neo4j", "-s", "--batch-size", "500", wait=False)
        _wait_for_lock(neo4j_store, process)
        time.sleep(delay)
        midway += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = _cli(neo4j_env, "load", corpus / "a", "--neo4j", "-s")  # the dead load's lock does not block it
        assert rerun.returncode == 0, rerun.stderr
        assert _dump(neo4j_store) == complete, f"killed {delay} s in, the re-run did not complete the graph"
    assert midway, "no kill landed during a load"


def test_two_concurrent_loads_lose_nothing(neo4j_env, neo4j_store, corpus, tmp_path):
    protocols = EXAMPLES / "jiang-2024" / "protocols"
    reference = LadybugStore(tmp_path / "reference")  # the same loads, one after the other
    for path in (protocols, corpus / "a", EXAMPLES):
        ingest(reference, [path])
    expected = _counts(reference)
    assert _cli(neo4j_env, "load", protocols, "--neo4j", "--replace", "-s").returncode == 0
    first = _cli(neo4j_env, "load", corpus / "a", "--neo4j", "-s", wait=False)
    _wait_for_lock(neo4j_store, first)
    first.send_signal(signal.SIGSTOP)  # holding the lock until the second load has tried, however slow it starts
    try:
        second = _cli(neo4j_env, "load", EXAMPLES, "--neo4j", "-s")
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert second.returncode == 1 and second.stderr.startswith(
        f"Error: store is busy: another load (PID {first.pid} on "
    )
    assert len(second.stderr.strip().splitlines()) == 1
    assert _cli(neo4j_env, "load", EXAMPLES, "--neo4j", "-s").returncode == 0
    assert _counts(neo4j_store) == expected
    # started together, whichever loses the race is refused and loads after; nothing is lost
    assert _cli(neo4j_env, "load", protocols, "--neo4j", "--replace", "-s").returncode == 0
    together = {path: _cli(neo4j_env, "load", path, "--neo4j", "-s", wait=False) for path in (corpus / "a", EXAMPLES)}
    outcomes = {path: (process.wait(timeout=600), process.stderr.read()) for path, process in together.items()}
    for path, (code, err) in outcomes.items():
        assert code == 0 or (code == 1 and "store is busy" in err), err
        if code == 1:  # the other one has finished: now it loads
            assert _cli(neo4j_env, "load", path, "--neo4j", "-s").returncode == 0
    assert _counts(neo4j_store) == expected


def test_replace_leaves_other_applications_nodes_alone(neo4j_env, neo4j_store, tmp_path):
    neo4j_store.driver.execute_query(
        "CREATE (:Invoice {id: 'inv-1', total: 12, loadGeneration: 'not-ours'})"
        "-[:BILLED_TO {loadGeneration: 'not-ours'}]->(:Customer {id: 'c-1'})",
        database_=neo4j_store.database,
    )
    try:
        assert _cli(neo4j_env, "load", PDFS, "--neo4j", "-s").returncode == 0
        assert _cli(neo4j_env, "load", EXAMPLES, "--neo4j", "--replace", "-s").returncode == 0
        foreign = neo4j_store.driver.execute_query(
            "MATCH (i:Invoice {id: 'inv-1'})-[r:BILLED_TO]->(c:Customer) "
            "RETURN i.total AS total, r.loadGeneration AS g",
            database_=neo4j_store.database,
        ).records
        assert [(r["total"], r["g"]) for r in foreign] == [(12, "not-ours")]
        assert _counts(neo4j_store) == _counts(_embedded(tmp_path, EXAMPLES))  # and only the examples are left
    finally:
        neo4j_store.driver.execute_query(
            "MATCH (n) WHERE n:Invoice OR n:Customer DETACH DELETE n", database_=neo4j_store.database
        )


@pytest.mark.parametrize("command", [["load", str(EXAMPLES)], ["query", "top-challenges"], ["cypher", "RETURN 1"]])
def test_a_wrong_password_is_one_line_and_exit_1(neo4j_env, command):
    result = _cli({**neo4j_env, "NEO4J_PASSWORD": "not-the-password"}, *command, "--neo4j")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: Neo4j at {neo4j_env['NEO4J_URI']} refused the user name or password (NEO4J_USERNAME, NEO4J_PASSWORD)\n"
    )


def test_a_server_that_is_down_is_one_line_and_exit_1(neo4j_env, unused_port):
    uri = f"bolt://127.0.0.1:{unused_port}"
    result = _cli({**neo4j_env, "NEO4J_URI": uri}, "load", EXAMPLES, "--neo4j")
    assert result.returncode == 1
    assert result.stderr == f"Error: cannot reach Neo4j at {uri}: is the server running? (docker compose up -d neo4j)\n"


def test_a_wrong_database_name_is_one_line_and_exit_1(neo4j_env):
    result = _cli({**neo4j_env, "NEO4J_DATABASE": "research"}, "load", EXAMPLES, "--neo4j")
    assert result.returncode == 1
    assert result.stderr == f"Error: Neo4j at {neo4j_env['NEO4J_URI']} has no database 'research' (NEO4J_DATABASE)\n"


def test_a_first_load_creates_what_a_reload_merges_and_a_killed_one_is_completed(neo4j_env, neo4j_store, corpus):
    """Into an empty database rows are created, not merged; the graph is the one a reload
    (merging and sweeping) writes, and a first load killed part-way is completed by the next."""
    empty_graph(neo4j_store)
    assert _cli(neo4j_env, "load", EXAMPLES, corpus / "a", "--neo4j", "-s").returncode == 0
    created = _dump(neo4j_store)
    assert _cli(neo4j_env, "load", corpus / "a", EXAMPLES, "--neo4j", "--replace", "-s").returncode == 0
    assert _dump(neo4j_store) == created and len(created[1]) > 1000
    midway = 0
    for delay in KILL_AFTER:
        empty_graph(neo4j_store)
        process = _cli(neo4j_env, "load", EXAMPLES, corpus / "a", "--neo4j", "-s", "--batch-size", "200", wait=False)
        _wait_for_lock(neo4j_store, process)
        time.sleep(delay)
        midway += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = _cli(neo4j_env, "load", EXAMPLES, corpus / "a", "--neo4j", "-s")
        assert rerun.returncode == 0, rerun.stderr
        assert _dump(neo4j_store) == created, f"killed {delay} s in, the next load did not complete the graph"
    assert midway, "no kill landed during a load"


@pytest.mark.parametrize("first", ["into an empty database", "over another graph"])
def test_the_version_moves_on_only_once_the_graph_is_whole(neo4j_store, corpus, first):
    """The dashboard's and the analyses' caches follow version(): while a load writes, it still
    names the graph before it, until the sources (written last) come in."""
    if first == "into an empty database":
        empty_graph(neo4j_store)
    else:
        ingest(neo4j_store, [EXAMPLES], replace=True)
    before = neo4j_store.version()
    seen: list[tuple[str, str]] = []  # (progress message, version() when it came)
    batch_size, neo4j_store.batch_size = neo4j_store.batch_size, 2000  # several batches per large table
    try:
        ingest(
            neo4j_store,
            [EXAMPLES, corpus / "a"],
            replace=True,
            progress=lambda step: seen.append((str(step), neo4j_store.version())),
        )
    finally:
        neo4j_store.batch_size = batch_size
    # while the excerpts, the codings and the rest are written, version() names the graph before
    rest = [version for message, version in seen if message.startswith(("Excerpt: ", "CODED_AS ", "SAID ", "FROM "))]
    assert len(rest) > 5 and set(rest) == {before}
    assert any(message.startswith("Source: ") for message, _ in seen)
    assert neo4j_store.version() not in ("", before)

"""Analysts' queries that would crash or exhaust the process serving everyone: each ends its own
child process (store/sandbox.py) with one line, and the caller lives on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.errors import QueryError, QueryMemoryError, QueryTimeoutError, ReadOnlyError
from challenge_graph.store.sandbox import QueryLimits, run_isolated
from tests.conftest import ROOT, connect_neo4j

CROSS_PRODUCT = "MATCH (a),(b),(c),(d) WHERE a.id+b.id+c.id+d.id='x' RETURN count(*)"
MEMORY_BOMB = "RETURN size(range(1, 1500000000)) AS n"
WIDE_ROWS = "UNWIND range(1, 200000) AS x RETURN x, repeat('ab', 5000) AS filler"
LIMIT = 512 << 20


def _cli(db, *args):
    return CliRunner().invoke(cli, ["cypher", *args, "--db", str(db)])


def _measured(db, query: str, memory: int = LIMIT, timeout: float = 20) -> dict:
    """Run ``query`` through run_isolated in a fresh Python process, whose only child is the
    query's: its peak resident memory (RUSAGE_CHILDREN) is the query's alone."""
    script = f"""
import json, resource
from challenge_graph.store.ladybug_store import LadybugStore
from challenge_graph.store.sandbox import QueryLimits, run_isolated
from challenge_graph.graph.errors import ChallengeGraphError
try:
    result = run_isolated(LadybugStore({str(db)!r}), {query!r}, limits=QueryLimits(timeout={timeout}, memory={memory}))
    outcome = {{"rows": len(result.rows)}}
except ChallengeGraphError as e:
    outcome = {{"error": type(e).__name__, "message": str(e)}}
outcome["peak"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps(outcome))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_memory_bomb_is_stopped_under_its_limit(sample_store):
    outcome = _measured(sample_store.path, MEMORY_BOMB)
    assert outcome["error"] == "QueryMemoryError", outcome
    assert "more than 512 MB of memory" in outcome["message"]
    assert outcome["peak"] <= LIMIT, f"the query's process peaked at {outcome['peak'] >> 20} MB"


def test_wide_rows_are_stopped_under_the_limit_too(sample_store):
    outcome = _measured(sample_store.path, WIDE_ROWS, timeout=30)
    assert outcome["error"] in ("QueryMemoryError", "QueryError"), outcome
    assert outcome["peak"] <= LIMIT, f"the query's process peaked at {outcome['peak'] >> 20} MB"


def test_the_cli_says_one_line_and_names_the_option(sample_store):
    result = _cli(sample_store.path, MEMORY_BOMB, "--max-memory", "512M")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: the query used more than 512 MB of memory and was stopped "
        "(raise the limit with --max-memory, or narrow the query)"
    ]


def test_the_cli_caps_rows_and_says_so(sample_store):
    result = _cli(sample_store.path, "UNWIND range(1, 50) AS x RETURN x", "--max-rows", "7", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 7
    assert "showing the first 7 rows" in result.stderr


def test_deep_nesting_is_refused_before_any_engine_parses_it(sample_store):
    for query in (
        "RETURN " + "(" * 3000 + "1" + ")" * 3000,  # segfaulted LadybugDB
        "RETURN " + "{a: " * 500 + "1" + "}" * 500,  # parsed for minutes, outside the timeout
        "RETURN " + "[" * 500 + "1" + "]" * 500,
    ):
        with pytest.raises(ReadOnlyError, match="nested more than 64 deep"):
            run_isolated(sample_store, query)


def test_the_wall_clock_counts_and_the_caller_goes_on(sample_store):
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="stopped after 1 s"):
        run_isolated(sample_store, CROSS_PRODUCT, limits=QueryLimits(timeout=1))
    assert time.monotonic() - started < 30  # stopped, not run to its end (minutes)
    assert run_isolated(sample_store, "MATCH (i:Interview) RETURN count(i) AS n").rows == [(4,)]


def test_an_engine_crash_ends_the_child_only(sample_store):
    """A query whose process dies of a signal (as LadybugDB segfaulted on deep nesting) is one
    line for the analyst; the caller and the next query go on."""
    before = {p for p in os.listdir("/proc") if p.isdigit()}
    outcome: dict = {}

    def run() -> None:
        try:
            run_isolated(sample_store, CROSS_PRODUCT, limits=QueryLimits(timeout=60))
        except QueryError as e:
            outcome["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    child = None
    for _ in range(500):
        child = next((int(p) for p in _children(before) if b"challenge_graph.store.sandbox" in _cmdline(p)), None)
        if child:
            break
        time.sleep(0.02)
    assert child, "the query's process did not start"
    time.sleep(0.5)
    os.kill(child, signal.SIGSEGV)
    thread.join(60)
    assert "crashed on this query (SIGSEGV)" in str(outcome["error"])
    assert run_isolated(sample_store, "MATCH (i:Interview) RETURN count(i) AS n").rows == [(4,)]


def test_the_childs_process_dies_with_its_parent(sample_store, tmp_path):
    """A parent killed with SIGKILL leaves no query process behind (PR_SET_PDEATHSIG)."""
    script = f"""
from challenge_graph.store.ladybug_store import LadybugStore
from challenge_graph.store.sandbox import QueryLimits, run_isolated
run_isolated(LadybugStore({str(sample_store.path)!r}), {CROSS_PRODUCT!r}, limits=QueryLimits(timeout=120))
"""
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    child = None
    for _ in range(500):
        child = next((int(p) for p in _children({}, parent.pid) if b"sandbox" in _cmdline(p)), None)
        if child:
            break
        time.sleep(0.02)
    assert child
    parent.kill()
    parent.wait()
    for _ in range(250):
        if not os.path.exists(f"/proc/{child}") or _state(child) == "Z":
            break
        time.sleep(0.02)
    assert not os.path.exists(f"/proc/{child}") or _state(child) == "Z"


def test_values_come_back_as_json_never_pickles(sample_store):
    result = run_isolated(
        sample_store, "MATCH (i:Interview) RETURN i AS node, date('2024-05-01') AS day, 1.5 AS x ORDER BY i.id LIMIT 1"
    )
    node, day, x = result.rows[0]
    assert isinstance(node, dict) and node["id"] and day == "2024-05-01" and x == 1.5


def test_the_dashboard_console_survives_a_memory_bomb(sample_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr("sys.argv", ["app.py", "--max-memory", str(LIMIT)])
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.session_state["db_path"] = str(sample_store.path)
    at.run()
    at.sidebar.radio(key="page").set_value("Cypher console").run()
    at.text_area(key="cypher_(write your own)").set_value(MEMORY_BOMB).run()
    at.button(key="run").click().run()
    assert not at.exception
    assert any("more than 512 MB of memory" in e.value for e in at.error)
    at.text_area(key="cypher_(write your own)").set_value("MATCH (i:Interview) RETURN count(i) AS n").run()
    at.button(key="run").click().run()
    assert at.dataframe[0].value.iloc[0, 0] == 4


# --- Neo4j: the query as the server reads it ---------------------------------------------------
NEO4J_ESCAPES = [
    r'WITH 1 AS x // \u000a LOAD CSV FROM "file:///etc/passwd" AS l RETURN l LIMIT 2',
    r'WITH 1 AS x // \u000a LOAD CSV FROM "http://127.0.0.1:9/" AS l RETURN l LIMIT 2',
    r"/* \u002a/ SHOW TRANSACTIONS // */ RETURN 1",
    r"/* \u002a/ TERMINATE TRANSACTIONS 'neo4j-transaction-1' // */ RETURN 1",
    r"/* \u002a/ CALL dbms.listConfig() YIELD name RETURN name // */ RETURN 1",
    r"/* \u002a/ CALL db.clearQueryCaches() // */ RETURN 1",
    r"RETURN 1 AS x \u000a UNION CALL dbms.killConnections(['bolt-1']) YIELD connectionId RETURN 1 AS x",
    r"WITH 1 AS x \u004C\u004F\u0041\u0044 CSV FROM 'file:///etc/passwd' AS l RETURN l",
]


@pytest.mark.parametrize("query", NEO4J_ESCAPES)
def test_neo4j_escapes_are_read_as_the_server_reads_them(neo4j_env, query):
    store = connect_neo4j(neo4j_env)
    try:
        with pytest.raises(ReadOnlyError) as refused:
            run_isolated(store, query)
        assert "\n" not in str(refused.value)
        assert store.run_analyst("RETURN 'caf\\u00e9' AS word").rows == [("café",)]  # a letter reads the same
    finally:
        store.close()


def test_neo4j_queries_run_in_the_sandbox_with_their_limits(neo4j_env):
    store = connect_neo4j(neo4j_env)
    try:
        assert run_isolated(store, "UNWIND range(1, 20) AS x RETURN x", limits=QueryLimits(max_rows=5)).truncated
        with pytest.raises((QueryMemoryError, QueryError)):
            run_isolated(store, WIDE_ROWS, limits=QueryLimits(timeout=30, memory=LIMIT, max_bytes=16 << 20))
    finally:
        store.close()


def test_the_neo4j_test_server_refuses_file_urls_as_teams_are_told_to(neo4j_env):
    """The server settings docs/security.md gives, on the test server: even a query that got past
    the guard could not read a file."""
    store = connect_neo4j(neo4j_env)
    try:
        with pytest.raises(QueryError, match="allow_csv_import_from_file_urls"):
            store._execute("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 1", {})
    finally:
        store.close()


def _children(before, parent: int | None = None):
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry in before:
            continue
        if parent is None:
            yield entry
            continue
        try:
            stat = open(f"/proc/{entry}/stat", "rb").read()
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[1]) == parent:
            yield entry


def _cmdline(pid) -> bytes:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return b""


def _state(pid) -> str:
    try:
        return open(f"/proc/{pid}/stat", "rb").read().rsplit(b")", 1)[1].split()[0].decode()
    except OSError:
        return ""


def test_case_nesting_and_long_queries_are_refused_before_any_engine():
    """Neo4j keeps parsing on the server after its client is gone: the guard is the only wall there."""
    from challenge_graph.store.cypher_guard import check_analyst_cypher

    with pytest.raises(ReadOnlyError, match="nested more than 64 deep"):
        check_analyst_cypher("RETURN " + "CASE WHEN true THEN " * 240 + "1" + " ELSE 0 END" * 240)
    with pytest.raises(ReadOnlyError, match="the console takes 5,000 at most"):
        check_analyst_cypher("RETURN " + " + ".join(["1"] * 20_000))
    check_analyst_cypher("MATCH (n) RETURN n.end AS end, CASE WHEN n.end THEN 1 END AS x")  # end as a name


def test_a_module_planted_in_the_working_directory_never_runs(sample_store, tmp_path, monkeypatch):
    (tmp_path / "decimal.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('x')\n")
    monkeypatch.chdir(tmp_path)
    assert run_isolated(sample_store, "MATCH (i:Interview) RETURN count(i) AS n").rows == [(4,)]
    assert not (tmp_path / "ran").exists()


def test_limits_out_of_range_are_refused(sample_store):
    for limits in (QueryLimits(timeout=float("nan")), QueryLimits(timeout=float("inf")), QueryLimits(memory=1)):
        with pytest.raises(QueryError, match="limits out of range"):
            run_isolated(sample_store, "RETURN 1 AS x", limits=limits)

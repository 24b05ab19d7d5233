"""Issue 13: analysts' Cypher cannot read files, break the store or hang it, on the real engine.

Every query of the issue's table runs through the command line on the examples graph: it is
refused with one line naming the clause (or stopped by its timeout), and the store answers the
same afterwards."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.errors import QueryTimeoutError, ReadOnlyError
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.runner import DIALECTS, corpus_summary, list_queries
from challenge_graph.store.cypher_guard import check_analyst_cypher, tokenize
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES

CROSS_PRODUCT = "MATCH (a),(b),(c),(d) WHERE a.id+b.id+c.id+d.id='x' RETURN count(*)"

# (query, the clause the one-line refusal names)
ATTACKS = [
    (
        "LOAD WITH HEADERS (line STRING) FROM '/etc/passwd' (file_format='csv', header=false, delim='\\t') RETURN *",
        "LOAD",
    ),
    ("LOAD/**/FROM '/etc/passwd' (file_format='csv', header=false) RETURN *", "LOAD"),
    ("CALL read_csv_serial('/etc/passwd') RETURN *", "CALL read_csv_serial"),
    ("CALL read_csv_parallel('/etc/passwd') RETURN *", "CALL read_csv_parallel"),
    ("CALL read_npy('/etc/passwd') RETURN *", "CALL read_npy"),
    ("CALL read_parquet('/etc/passwd') RETURN *", "CALL read_parquet"),
    ("CHECKPOINT", "CHECKPOINT"),
    ("CALL timeout=1", "CALL timeout=…"),
    ("EXPORT DATABASE '/tmp/challenge-graph-export-test'", "EXPORT"),
    ("COPY (MATCH (n) RETURN n.id) TO '/tmp/challenge-graph-copy-test.csv'", "COPY"),
    ("MATCH (n) RETURN n.id LIMIT 1; CHECKPOINT", "one statement at a time"),
    ("INSTALL httpfs", "INSTALL"),
    ("LOAD EXTENSION httpfs", "LOAD"),
    ("ATTACH '/tmp/x.lbug' AS other (dbtype lbug)", "ATTACH"),
    ("USE other", "USE"),
    ("BEGIN TRANSACTION", "BEGIN"),
    ("CREATE NODE TABLE X(id STRING, PRIMARY KEY(id))", "CREATE"),
    ("MATCH (c:Challenge) SET c.name = 'x'", "SET"),
    ("MATCH (c:Challenge) DETACH DELETE c", "DETACH DELETE"),
    # found while reviewing the tokenizer: a number glued to a keyword, a comment ended by CR
    ("MATCH (n) WITH n LIMIT 1LOAD FROM '/etc/passwd' (header=false) RETURN *", "LOAD FROM"),
    ("MATCH (n) WITH n LIMIT 1 //x\rLOAD FROM '/etc/passwd' (header=false) RETURN *", "LOAD FROM"),
]


def _cli(db, *args):
    return CliRunner().invoke(cli, ["cypher", *args, "--db", str(db)])


@pytest.mark.parametrize(("query", "clause"), ATTACKS)
def test_every_attack_of_the_issue_is_refused_in_one_line_and_the_store_stays_readable(sample_store, query, clause):
    before = corpus_summary(sample_store)
    result = _cli(sample_store.path, query)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: read-only: {clause}"), result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "root:" not in result.output
    assert not [p.name for p in sample_store.path.iterdir() if p.suffix in (".wal", ".shadow")]
    assert corpus_summary(LadybugStore(sample_store.path)) == before


def test_names_that_look_like_keywords_are_names(sample_store):
    """The old keyword list refused `AS set`: aliases, properties, labels, map keys, strings,
    comments and backticked names are never clauses."""
    for query in (
        "MATCH (c:Challenge {code: 'QM-robustness'}) RETURN c.name AS set",
        "MATCH (c:Challenge {code: 'QM-robustness'}) WITH c AS start RETURN start.name AS `delete`",
        "MATCH (c:Challenge) WHERE c.code = 'QM-robustness' /* SET c.x = 1 */ RETURN c.name AS n // LOAD",
        "MATCH (c:Challenge) WHERE c.name <> 'LOAD FROM x' AND c.code = \"QM-robustness\" RETURN {remove: c.name} AS m",
    ):
        result = _cli(sample_store.path, query, "--format", "csv")
        assert result.exit_code == 0, (query, result.output)
        assert "Robustness" in result.stdout


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
        ("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS", "CALL {…}"),
        ("UNWIND range(1, 3) AS i CALL { WITH i RETURN i AS j } IN TRANSACTIONS RETURN j", "CALL {…}"),
        ("CALL apoc.export.csv.all('/tmp/x.csv', {})", "CALL apoc.export.csv.all"),
        ("CALL apoc.load.json('file:///etc/passwd')", "CALL apoc.load.json"),
        ("CALL dbms.listConfig()", "CALL dbms.listConfig"),
        ("CALL db.createLabel('X')", "CALL db.createLabel"),
        ("RETURN apoc.util.sleep(100000)", "apoc.util.sleep()"),
        ("RETURN `apoc`.`export`.csv.all('/tmp/x', {})", "apoc.export.csv.all()"),
        ("CALL `apoc.periodic.iterate`('MATCH (n) RETURN n', 'DELETE n', {})", "CALL apoc.periodic.iterate"),
        ("SHOW DATABASES", "SHOW"),
        ("STOP DATABASE neo4j", "STOP"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.a = x)", "FOREACH"),
        ("EXPLAIN MATCH (n) RETURN n", "EXPLAIN"),
        ("MATCH (n) RETURN n UNION CREATE (m) RETURN m", "CREATE"),
    ],
)
def test_neo4j_writes_files_and_procedures_are_refused(query, clause):
    with pytest.raises(ReadOnlyError) as refused:
        check_analyst_cypher(query)
    assert str(refused.value).startswith(f"read-only: {clause}"), str(refused.value)


@pytest.mark.parametrize(
    "query",
    [
        "CALL db.labels()",
        "CALL db.schema.visualization()",
        "CALL dbms.components() YIELD name RETURN name",
        "CALL show_tables() RETURN *",
        "CALL table_info('Challenge') RETURN *",
        "MATCH (n) RETURN n.id UNION ALL MATCH (m) RETURN m.id",
        "OPTIONAL MATCH (n) RETURN count(n);",
        "MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n.id ORDER BY n.id SKIP 1 LIMIT 2",
        "RETURN [x IN range(1, 3) WHERE x > 1 | x] AS xs, apoc.text.join(['a'], ',') AS s",
    ],
)
def test_read_queries_pass(query):
    check_analyst_cypher(query)


def test_tokenizer_reads_comments_strings_and_names_as_the_grammar_does():
    assert [t.text for t in tokenize("LIMIT 1LOAD 2.5e3 1..3")] == ["LIMIT", "1", "LOAD", "2.5e3", "1", "..", "3"]
    tokens = tokenize("MATCH/**/(n)//x\nRETURN 'a\\'b' AS `x``y`, $p")
    assert [(t.kind, t.text) for t in tokens] == [
        ("word", "MATCH"),
        ("op", "("),
        ("word", "n"),
        ("op", ")"),
        ("word", "RETURN"),
        ("string", "'a\\'b'"),
        ("word", "AS"),
        ("name", "`x``y`"),
        ("op", ","),
        ("param", "$p"),
    ]
    for broken in ("RETURN 'x", "RETURN 1 /* x", "RETURN `x", "RETURN\u00a01"):
        with pytest.raises(ReadOnlyError):
            tokenize(broken)


def test_every_named_query_passes_the_allow_list_in_each_engines_form():
    for query in list_queries():
        for dialect in DIALECTS:
            check_analyst_cypher(query.cypher_for(dialect))


def test_a_slow_query_is_stopped_by_its_timeout(sample_store):
    start = time.perf_counter()
    result = _cli(sample_store.path, CROSS_PRODUCT, "--timeout", "1")
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1
    assert result.output == "Error: query stopped after 1 s (its time limit; raise it with --timeout)\n"
    assert elapsed < 30  # generous: without the timeout this query runs for minutes
    assert corpus_summary(sample_store)["interviews"] == 4


def test_a_slow_query_does_not_block_other_readers_of_the_same_store(sample_store):
    """One store object as the dashboard shares it: while an analyst's query runs, the named
    queries and other analysts' queries of the same store still answer."""
    store = LadybugStore(sample_store.path)
    outcome = {}

    def slow():
        try:
            store.run_analyst(CROSS_PRODUCT, timeout=15)
        except QueryTimeoutError as e:
            outcome["slow"] = e

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1)  # the slow query is running
    assert corpus_summary(store)["interviews"] == 4
    assert store.run_analyst("MATCH (i:Interview) RETURN count(i) AS n").rows == [(4,)]
    answered_while_running = thread.is_alive()
    thread.join()
    store.close()
    assert answered_while_running and isinstance(outcome.get("slow"), QueryTimeoutError)


def test_settings_never_reach_another_query(sample_store):
    """Each analyst query gets its own connection: even a setting that got past the check
    (called here below the check) is gone for the next query."""
    store = LadybugStore(sample_store.path)
    store._execute_analyst("CALL threads=1", {}, 30, None)
    threads = store._execute_analyst("CALL current_setting('threads') RETURN *", {}, 30, None).rows
    assert threads != [("1",)]
    store.close()


def test_row_cap(sample_store):
    result = sample_store.run_analyst("MATCH (e:Excerpt) RETURN e.id AS id", max_rows=5)
    assert len(result.rows) == 5 and result.truncated
    assert not sample_store.run_analyst("MATCH (i:Interview) RETURN i.id", max_rows=5).truncated


def test_the_engine_itself_would_have_run_them(sample_store, tmp_path):
    """Why the check must stop them before the engine: a read-only LadybugDB still reads any file
    with LOAD FROM (the store itself, bypassing the check)."""
    secret = tmp_path / "secret.csv"
    secret.write_text("the-secret-line\n")
    query = f"LOAD WITH HEADERS (line STRING) FROM '{secret}' (header=false) RETURN *"
    store = LadybugStore(sample_store.path)
    assert store._execute_analyst(query, {}, 30, None).rows == [("the-secret-line",)]
    with pytest.raises(ReadOnlyError):
        store.run_analyst(query)
    store.close()


def test_read_csv_serial_is_refused_before_the_engine(sample_store, tmp_path):
    """`CALL read_csv_serial` crashes the engine's process: the refusal must come first (run in
    a child process so a crash would show as a signal, not kill the tests)."""
    script = (
        "import sys; from challenge_graph.store.ladybug_store import LadybugStore\n"
        "from challenge_graph.graph.errors import ReadOnlyError\n"
        f"s = LadybugStore({str(sample_store.path)!r})\n"
        "try:\n    s.run_analyst(\"CALL read_csv_serial('/etc/passwd') RETURN *\")\n"
        "except ReadOnlyError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("read-only: CALL read_csv_serial is not allowed")


def test_a_pending_checkpoint_is_completed_by_the_next_load_and_reader(tmp_path):
    """CHECKPOINT on a read-only database (as the console once allowed) leaves graph.lbug.wal
    and .shadow that make every later open fail; the next load, or a reader, completes it."""
    import ladybug

    from tests.conftest import INTERVIEW_35

    for who in ("load", "reader"):
        db = tmp_path / who
        store = LadybugStore(db)
        ingest(store, [EXAMPLES])
        store.close()
        engine = ladybug.Database(str(db / "graph.lbug"), read_only=True)
        conn = ladybug.Connection(engine)
        with pytest.raises(RuntimeError):
            conn.execute("CHECKPOINT")
        conn.close()
        engine.close()
        assert (db / "graph.lbug.wal").exists() and (db / "graph.lbug.shadow").exists()
        store = LadybugStore(db)
        if who == "load":
            ingest(store, [INTERVIEW_35], replace=True)
            assert corpus_summary(store)["interviews"] == 1
        else:
            assert corpus_summary(store)["interviews"] == 4
        assert not (db / "graph.lbug.wal").exists() and not (db / "graph.lbug.shadow").exists()
        store.close()

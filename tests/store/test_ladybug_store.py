from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import ladybug
import pyarrow as pa
import pytest

from challenge_graph.graph.errors import QueryError, ReadOnlyError, StoreBusyError, StoreError
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import SourceFile
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store import arrow_tables
from challenge_graph.store.arrow_tables import _array
from challenge_graph.store.ladybug_store import LadybugStore, _all_rows
from tests.conftest import EXAMPLES, INTERVIEW_35, LEADER_4


def _counts(store):
    return (
        store.run("MATCH (n) RETURN label(n) AS label, count(*) AS n ORDER BY label").rows
        + store.run("MATCH ()-[r]->() RETURN label(r) AS label, count(*) AS n ORDER BY label").rows
    )


def test_loading_twice_gives_identical_counts_and_does_not_crash(empty_store):
    ingest(empty_store, [EXAMPLES])
    first = _counts(empty_store)
    ingest(empty_store, [EXAMPLES])
    assert _counts(empty_store) == first
    ingest(empty_store, [INTERVIEW_35])  # a file already in the graph, given on its own
    assert _counts(empty_store) == first


def test_loads_add_up_and_replace_starts_over(empty_store):
    ingest(empty_store, [LEADER_4])
    ingest(empty_store, [INTERVIEW_35])
    titles = empty_store.run("MATCH (i:Interview) RETURN i.title AS t ORDER BY t").rows
    assert titles == [("Interview 35",), ("reengineering-leader-4",)]
    ingest(empty_store, [INTERVIEW_35], replace=True)
    assert empty_store.run("MATCH (i:Interview) RETURN i.title AS t").rows == [("Interview 35",)]


def _queried_sources(store):
    rows = store.run("MATCH (s:Source) RETURN s.name AS name, s.kind AS kind, s.sha256 AS sha256").as_dicts()
    return {(r["name"], r["kind"], r["sha256"]) for r in rows}


def _listed_sources(store, queried, monkeypatch):
    """The sources ``store`` lists, as ``(name, kind, sha256)``, and how many queries it ran for them."""
    asked = []
    run = store.run
    monkeypatch.setattr(store, "run", lambda *a, **k: asked.append(a) or run(*a, **k))
    kinds = {name: kind for name, kind, _ in queried}
    listed = {(s.name, kinds[s.name], s.sha256) for s in [*store.sources(), store.codebook()]}
    return listed, len(asked)


def test_the_loaded_files_are_listed_from_the_last_write_without_opening_the_database(empty_store, monkeypatch):
    ingest(empty_store, [EXAMPLES])
    empty_store.close()
    queried = _queried_sources(LadybugStore(empty_store.path))
    files = [  # not the README, the package's module or its bytecode
        f
        for f in EXAMPLES.rglob("*")
        if f.is_file() and f.suffix not in (".md", ".py") and "__pycache__" not in f.parts
    ]
    assert len(queried) == len(files) + 1  # every file, and the codebook
    assert _listed_sources(LadybugStore(empty_store.path), queried, monkeypatch) == (queried, 0)
    os.utime(empty_store.db_file)  # the database changed since its snapshot was taken: it is asked
    assert _listed_sources(LadybugStore(empty_store.path), queried, monkeypatch) == (queried, 2)


def test_failed_build_leaves_previous_graph(empty_store, codebook):
    ingest(empty_store, [INTERVIEW_35])
    before = _counts(empty_store)
    broken = GraphData()
    broken.add_node(
        "Interview", {"id": "x", "title": "X", "source": "x", "format": "f", "turns": 0, "words": 0, "coded": False}
    )
    broken.add_rel("IN_STUDY", ("Interview", "x"), ("Study", "missing"))  # dangling: COPY fails
    codebook_file = SourceFile("cb.yaml", b"workflow: []")
    # the engine's reason, not a later statement's (the small tables share a transaction)
    with pytest.raises(StoreError, match="building graph.lbug.new failed: .*primary key value missing"):
        empty_store.replace_graph(broken, [], codebook_file)
    assert _counts(empty_store) == before
    assert not (empty_store.path / "graph.lbug.new").exists()


def _kept_copies(store) -> set[str]:
    return {p.name for p in (store.path / "sources").iterdir() if not p.name.startswith(".")}


def test_sources_written_during_a_failed_load_leave_with_it(empty_store, monkeypatch):
    from challenge_graph.pipeline import ingest as ingest_module

    ingest(empty_store, [INTERVIEW_35])
    before, copies, sources = _counts(empty_store), _kept_copies(empty_store), empty_store.sources()
    staged = []
    real_stage = empty_store.copies.stage

    def stage_and_note(new_sources):  # what the load wrote while it built
        real_stage(new_sources)
        staged.extend(empty_store.copies._staged)

    def failing_build(*args, **kwargs):
        empty_store.copies.wait()
        assert set(staged) <= _kept_copies(empty_store)  # written while it built
        raise RuntimeError("the build failed")

    monkeypatch.setattr(empty_store.copies, "stage", stage_and_note)
    monkeypatch.setattr(ingest_module, "_build", failing_build)
    with pytest.raises(RuntimeError, match="the build failed"):
        ingest(empty_store, [LEADER_4])
    assert hashlib.sha256(LEADER_4.read_bytes()).hexdigest() in staged
    assert not empty_store.copies.staging  # the thread ended before the lock was released
    assert _kept_copies(empty_store) == copies  # and what it wrote left with the failed load
    assert _counts(empty_store) == before and empty_store.sources() == sources


def test_a_source_copy_that_cannot_be_written_fails_the_load_and_keeps_the_graph(empty_store, monkeypatch):
    from challenge_graph.store import source_copies

    ingest(empty_store, [INTERVIEW_35])
    before = _counts(empty_store)
    real = source_copies.write_all_atomically

    def full_disk(folder, sources):
        if sources:
            raise OSError(28, "No space left on device")
        real(folder, sources)

    monkeypatch.setattr(source_copies, "write_all_atomically", full_disk)
    with pytest.raises(StoreError, match="cannot keep copies of the sources .*No space left on device"):
        ingest(empty_store, [LEADER_4])
    assert _counts(empty_store) == before


def test_codebook_typo_leaves_previous_graph(empty_store, tmp_path):
    ingest(empty_store, [INTERVIEW_35])
    before = _counts(empty_store)
    bad = tmp_path / "cb.yaml"
    bad.write_text("workflow:\n  - {id: a, nme: A}\n")
    with pytest.raises(Exception, match=r"cb.yaml:2: unknown stage key 'nme'"):
        ingest(empty_store, [LEADER_4], codebook_path=bad)
    assert _counts(empty_store) == before


def test_reader_sees_new_graph_after_swap(empty_store):
    ingest(empty_store, [INTERVIEW_35])
    reader = LadybugStore(empty_store.path)
    assert reader.run("MATCH (i:Interview) RETURN count(i)").rows == [(1,)]
    ingest(empty_store, [LEADER_4])
    assert reader.run("MATCH (i:Interview) RETURN count(i)").rows == [(2,)]
    reader.close()


def test_second_writer_gets_store_busy(empty_store):
    script = textwrap.dedent(f"""
        import sys, time
        from challenge_graph.store.ladybug_store import LadybugStore
        store = LadybugStore({str(empty_store.path)!r})
        with store.writing():
            print("locked", flush=True)
            time.sleep(30)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreBusyError) as e:
            ingest(empty_store, [INTERVIEW_35])
        assert str(e.value) == (
            f"store is busy: another load (PID {holder.pid}) is writing {empty_store.path}; "
            "wait for it to finish, then run the command again"
        )
    finally:
        holder.kill()
        holder.wait()
    assert not (empty_store.path / "graph.lbug").exists()


def test_reads_are_read_only(sample_store):
    with pytest.raises(ReadOnlyError):
        sample_store.run("CREATE (:Tool {id: 'x', name: 'x', kind: 'x'})")
    with pytest.raises(ReadOnlyError):
        sample_store.run("match (t:Tool) set t.name = 'y'")
    # keywords inside strings are not writes
    assert sample_store.run("MATCH (t:Tool) WHERE t.name = 'CREATE' RETURN t").rows == []


def test_engine_errors_are_query_errors(sample_store):
    with pytest.raises(QueryError, match="Binder exception"):
        sample_store.run("MATCH (x:NoSuchLabel) RETURN x")


def test_empty_store_says_what_to_do(empty_store):
    with pytest.raises(StoreError, match="no graph at .* yet: run `challenge-graph load PATH` first"):
        empty_store.run("MATCH (n) RETURN n")
    assert empty_store.sources() == []


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (e:Excerpt) RETURN e.id, e.text, e.position, e.line ORDER BY e.id",
        "MATCH (n:Challenge) RETURN n ORDER BY n.id",  # nodes come back as dicts
        "MATCH (a)-[r:CODED_AS]->(b) RETURN r, b.id ORDER BY b.id, r.coder",
        "MATCH p = (a:Excerpt)-[:CODED_AS]->(b) RETURN p ORDER BY a.id LIMIT 5",
        "MATCH (c:Challenge) RETURN sum(c.quotes) AS s, collect(c.id) AS ids, {n: count(c)} AS m",
        "MATCH (s:Stage) RETURN s.aliases, s.parent ORDER BY s.id",  # lists and empty strings
        "MATCH (e:Excerpt) WHERE e.id = 'none' RETURN e.id",  # no rows
    ],
)
def test_results_are_read_whole_with_the_values_row_by_row_reading_gives(sample_store, cypher):
    db = ladybug.Database(str(sample_store.db_file), read_only=True)
    conn = ladybug.Connection(db)
    try:
        expected = [tuple(row) for row in conn.execute(cypher).get_all()]
        assert _all_rows(conn.execute(cypher)) == expected
        assert sample_store.run(cypher).rows == expected
    finally:
        conn.close()
        db.close()


def test_a_full_write_keeps_every_value_and_a_missing_property_as_null(tmp_path):
    """Rows written whole (a fresh database) read back as given, list properties and an absent
    property (null) included."""
    graph = GraphData()
    graph.add_node("Participant", {"id": "p1", "pseudonym": "Zoë 😀", "role": "engineer", "interview": "i1"})
    graph.add_node("Participant", {"id": "p2", "pseudonym": "P2"})  # no role, no interview
    graph.add_node("Interview", {"id": "i1", "title": "One", "turns": 3, "coded": True})
    graph.add_node("Stage", {"id": "s", "name": "S", "position": 1, "aliases": ["a", "b"]})
    graph.add_rel("INTERVIEWED_IN", ("Participant", "p1"), ("Interview", "i1"))
    store = LadybugStore(tmp_path / "db")
    store.replace_graph(graph, [], SourceFile("codebook.yaml", b"codes: {}\n", "codebook.yaml"))
    assert store.last_write == "full"
    rows = store.run("MATCH (p:Participant) RETURN p.id, p.pseudonym, p.role, p.interview ORDER BY p.id").rows
    assert [tuple(r) for r in rows] == [("p1", "Zoë 😀", "engineer", "i1"), ("p2", "P2", None, None)]
    rows = store.run("MATCH (i:Interview) RETURN i.title, i.turns, i.coded, i.words").rows
    assert [tuple(r) for r in rows] == [("One", 3, True, None)]
    assert [tuple(r) for r in store.run("MATCH (s:Stage) RETURN s.aliases, s.quotes").rows] == [(["a", "b"], None)]
    assert store.run("MATCH (:Participant)-[:INTERVIEWED_IN]->(i:Interview) RETURN i.id").rows == [("i1",)]


def test_text_columns_are_handed_to_arrow_as_they_are(monkeypatch):
    """The buffers made for a text column, chunk by chunk, hold what ``pa.array`` would make of
    it; a chunk over the offsets' reach is made by ``pa.array`` instead."""
    monkeypatch.setattr(arrow_tables, "TEXT_CHUNK", 7)  # chunk boundaries inside the column
    texts = ["", "plain", "Zoë said “no”", "😀" * 3, "line\nbreak", "x" * 10_000] * 5
    made = _array(texts, pa.string())
    made.validate(full=True)
    assert made.num_chunks == 5 and made.to_pylist() == texts
    assert _array(["a", None], pa.string()).to_pylist() == ["a", None]
    monkeypatch.setattr(arrow_tables, "MAX_STRING_BYTES", 100)  # every chunk but the short ones
    made = _array(texts, pa.string())
    made.validate(full=True)
    assert made.to_pylist() == texts


def test_text_utf8_cannot_hold_fails_the_write_and_keeps_the_graph(empty_store):
    """A lone surrogate (no file decoded as UTF-8 holds one) is a clear error, not a crash."""
    ingest(empty_store, [INTERVIEW_35])
    before = empty_store.run("MATCH (e:Excerpt) RETURN count(e)").rows
    graph = GraphData()
    graph.add_node("Excerpt", {"id": "i:0", "text": "half a pair \udc80", "interview": "i", "position": 0})
    with pytest.raises(StoreError, match="building graph.lbug.new failed"):
        empty_store.replace_graph(graph, [], SourceFile("codebook.yaml", b"codes: {}\n", "codebook.yaml"))
    assert empty_store.run("MATCH (e:Excerpt) RETURN count(e)").rows == before


def test_every_excerpt_is_from_the_interview_it_names(sample_store):
    rows = sample_store.run(
        "MATCH (e:Excerpt) OPTIONAL MATCH (e)-[:FROM]->(i:Interview) "
        "RETURN e.id AS excerpt, e.interview AS named, collect(i.id) AS found"
    ).rows
    assert len(rows) == sample_store.run("MATCH (e:Excerpt) RETURN count(*)").rows[0][0] > 0
    assert all(found == [named] for _, named, found in rows)


def test_a_snapshot_written_after_the_database_is_read_once_it_is_there(empty_store):
    ingest(empty_store, [EXAMPLES])
    snapshot = empty_store.path / "written.snapshot"
    kept = snapshot.read_bytes()
    snapshot.unlink()  # a reader between the database's swap and the snapshot's write
    reader = LadybugStore(empty_store.path)
    assert reader._written() is None and reader.sources()  # listed by a query meanwhile
    snapshot.write_bytes(kept)
    assert reader._written() is not None  # the miss was not kept


def test_a_store_folder_whose_name_holds_a_quote_and_a_backslash_is_written_through_its_excerpts_file(tmp_path):
    """The excerpts are copied from a Parquet file beside the database, named in the ``COPY``
    statement: a folder name that would end or escape the string still works, and the file goes."""
    from challenge_graph.pipeline.ingest import ingest

    store = LadybugStore(tmp_path / "it's a \\ store")
    report = ingest(store, [EXAMPLES])
    quotes = store.run("MATCH (e:Excerpt) RETURN count(e) AS n").rows[0][0]
    assert quotes == report.counts["Excerpt"] > 0
    assert not [p.name for p in store.path.iterdir() if p.suffix == ".parquet"]


def _excerpt_batches(count: int, fail_after: int | None = None):
    """``count`` one-row Arrow tables of excerpts (raising after ``fail_after`` of them)."""
    from challenge_graph.graph.model import NODES

    for number in range(count):
        if number == fail_after:
            raise OSError("disk gone")
        row = {name: [None] for name in NODES["Excerpt"]}
        row.update(id=[f"i:{number}"], interview=["i"], position=[number], text=[f"turn {number}"])
        yield arrow_tables.arrow_columns(row, NODES["Excerpt"])


def test_the_excerpts_file_is_written_a_table_at_a_time_in_order_and_removed(tmp_path):
    """Each table goes to the Parquet file on a thread while the next is made: every row arrives,
    in order; a table that fails leaves no file behind and stops the copy."""
    from challenge_graph.store.ladybug_bulk import _copy_through_file, schema_statements

    db = ladybug.Database(str(tmp_path / "graph.lbug"))
    conn = ladybug.Connection(db)
    for statement in schema_statements():
        conn.execute(statement)
    file = tmp_path / "excerpts.parquet"
    _copy_through_file(conn, "Excerpt", _excerpt_batches(5), file)
    rows = conn.execute("MATCH (e:Excerpt) RETURN e.position, e.text ORDER BY e.id").get_all()
    assert rows == [[n, f"turn {n}"] for n in range(5)] and not file.exists()
    with pytest.raises(OSError, match="disk gone"):
        _copy_through_file(conn, "Excerpt", _excerpt_batches(5, fail_after=3), file)
    assert not file.exists()
    assert conn.execute("MATCH (e:Excerpt) RETURN count(e)").get_all() == [[5]]  # nothing copied
    conn.close()
    db.close()

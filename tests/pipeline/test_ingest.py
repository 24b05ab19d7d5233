"""What a load keeps and reports across loads: stored copies, copies under new names."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3

from challenge_graph import loaders
from challenge_graph.pipeline import parse_cache as cache_module
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.pipeline.kept_store import KeptStore
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES, INTERVIEW_35, LEADER_4


def _interviews(store):
    return sorted(r[0] for r in store.run("MATCH (i:Interview) RETURN i.source").rows)


def test_a_stored_source_that_no_longer_parses_is_reported_and_kept(tmp_path, monkeypatch):
    store = LadybugStore(tmp_path / "db")
    assert not ingest(store, [INTERVIEW_35, LEADER_4]).rejected
    original = loaders.LOADERS[".txt"]

    def upgraded(data, name, known=()):  # a new version of the loader that cannot read seed 003
        if "Interview 35" in data.decode("utf-8", "replace")[:40]:
            raise loaders.LoaderError(name, 1, "format no longer supported")
        return original(data, name, known)

    monkeypatch.setitem(loaders.LOADERS, ".txt", upgraded)
    monkeypatch.setattr(cache_module, "loader_version", lambda: "upgraded")  # new loader code: cache stale
    other = tmp_path / "engineer.txt"
    other.write_bytes((EXAMPLES / "jiang-2024" / "transcripts" / "reengineering-engineer-2.txt").read_bytes())
    report = ingest(store, [other])
    assert [str(e) for e in report.rejected] == [
        "cote-2024/delve/interview-35-ilan.txt:1: stored copy no longer loads: format no longer supported"
    ]
    assert report.exit_code == 2
    assert "cote-2024/delve/interview-35-ilan.txt" in {s.name for s in store.sources()}  # kept for a later version
    monkeypatch.setitem(loaders.LOADERS, ".txt", original)
    ingest(store, [other])
    assert "interview-35-ilan.txt" in _interviews(store)
    store.close()


def test_a_copy_under_a_new_name_is_another_file_and_orphans_nothing(tmp_path):
    store = LadybugStore(tmp_path / "db")
    ingest(store, [EXAMPLES])
    coded = store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->() WHERE e.interview = 'jiang-2024/reengineering-leader-4' RETURN count(r)"
    ).rows[0][0]
    copy = tmp_path / "copy-of-leader-4.txt"
    shutil.copy(LEADER_4, copy)
    report = ingest(store, [copy])
    assert not report.rejected
    assert {"reengineering-leader-4.txt", "copy-of-leader-4.txt"} <= set(_interviews(store))
    again = store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->() WHERE e.interview = 'jiang-2024/reengineering-leader-4' RETURN count(r)"
    ).rows[0][0]
    assert again == coded > 0
    # the same file reached by another path replaces its stored copy
    before = len(store.sources())
    ingest(store, [LEADER_4])
    assert len(store.sources()) == before
    store.close()


def test_a_moderation_file_given_by_itself_stays_consensus_on_later_loads(tmp_path):
    from tests.conftest import FIXTURES

    store = LadybugStore(tmp_path / "db")
    pdfs = FIXTURES / "delve-pdf"
    ingest(
        store, [pdfs / "2023-06-04-Interview 19 - PO.pdf", pdfs / "moderation" / "2023-06-04-Interview 19 - Amin.pdf"]
    )
    ingest(store, [pdfs / "2023-06-04-Interview 19 - Rached.pdf"])  # a later load rebuilds from the stored copies
    rows = store.run("MATCH (k:Coder)-[r:CODED]->(:Interview) RETURN k.name, r.consensus ORDER BY k.name").rows
    assert [tuple(r) for r in rows] == [("Amin", True), ("PO", False), ("Rached", False)]
    store.close()


def _rows(store):
    nodes = sorted(map(tuple, store.run("MATCH (n) RETURN label(n), n.id").rows))
    rels = sorted(map(tuple, store.run("MATCH (a)-[r]->(b) RETURN label(r), a.id, b.id").rows))
    return nodes, rels


def test_a_load_parses_only_new_files_and_equals_a_full_rebuild(tmp_path, monkeypatch):
    from challenge_graph.pipeline import ingest as ingest_module

    parsed = []
    real = ingest_module.parse_source
    monkeypatch.setattr(
        ingest_module, "parse_source", lambda source, known=(): parsed.append(source.name) or real(source, known)
    )
    store = LadybugStore(tmp_path / "db")
    ingest(store, [EXAMPLES])
    first = len(parsed)
    extra = tmp_path / "extra.txt"
    extra.write_text("Interviewer: What broke?\nP9: The data pipeline, twice.\n", encoding="utf-8")
    parsed.clear()
    ingest(store, [extra])
    assert parsed == ["extra.txt"] and first > 1  # the stored files came from the cache
    fresh = LadybugStore(tmp_path / "fresh")
    ingest(fresh, [EXAMPLES, extra])
    assert _rows(store) == _rows(fresh)  # the graph stays a pure function of sources and codebook
    store.close()
    fresh.close()


def _parsed_entries(kept) -> list[bytes]:
    """The parsed files kept in the store's kept file, read with SQLite alone."""
    with contextlib.closing(sqlite3.connect(kept)) as db:
        return [row[0] for row in db.execute("SELECT value FROM kept WHERE kind = 'parsed'")]


def test_parsed_copies_leave_the_disk_with_their_source_and_go_stale_with_the_loaders(tmp_path, monkeypatch):
    store = LadybugStore(tmp_path / "db")
    ingest(store, [LEADER_4, INTERVIEW_35])
    kept = store.kept_file()
    assert len(_parsed_entries(kept)) == 2
    ingest(store, [LEADER_4], replace=True)
    entries = _parsed_entries(kept)
    assert len(entries) == 1 and b"Interview 35" not in entries[0]
    source = store.sources()[0]
    key = cache_module.ParseCache(KeptStore(kept)).key(source, ())
    monkeypatch.setattr(cache_module, "loader_version", lambda: "another version")
    assert cache_module.ParseCache(KeptStore(kept)).key(source, ()) != key
    store.close()


def test_a_store_built_with_the_bundled_codebook_follows_the_installed_version(tmp_path, monkeypatch):
    """An upgrade's codebook reaches stores that never chose one; a chosen codebook stays."""
    from challenge_graph.graph.codebook import default_codebook_path
    from challenge_graph.pipeline import ingest as ingest_module

    store = LadybugStore(tmp_path / "db")
    interview = tmp_path / INTERVIEW_35.name  # in no study folder: the store's codebook applies
    shutil.copy(INTERVIEW_35, interview)
    ingest(store, [interview])
    assert store.codebook().name == "bundled:ml-engineering.yaml"
    newer = tmp_path / "ml-engineering.yaml"
    newer.write_text(
        default_codebook_path()
        .read_text(encoding="utf-8")
        .replace("codes:\n", "codes:\n  feedback-loop: {kind: fix}\n", 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(ingest_module, "default_codebook_path", lambda: newer)
    ingest(store, [interview], replace=True)
    assert store.run("MATCH (f:Fix {code: 'feedback-loop'}) RETURN count(f)").rows == [(1,)]
    chosen = tmp_path / "team.yaml"
    chosen.write_text(default_codebook_path().read_text(encoding="utf-8"), encoding="utf-8")
    ingest(store, [interview], codebook_path=chosen)
    ingest(store, [interview], replace=True)  # no codebook given: the store's own, the team's
    assert store.codebook().name == "team.yaml"

"""The interviews a load builds are written into the copy of the database while the build puts
the kept ones together (store/database_copy.py), and the graph it writes is still row for row
the graph a full load of the same files writes."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from challenge_graph.graph import build as graph_build
from challenge_graph.pipeline import ingest as pipeline
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store import ladybug_delta
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import FIXTURES
from tests.pipeline.test_incremental import _dump, _full

PDFS = FIXTURES / "delve-pdf"


@pytest.fixture
def corpus(tmp_path):
    """The sample Delve PDFs with every coder's file of Interview 5 apart (in ``new``, with
    its moderation folder), and a store that loaded the rest."""
    base, new = tmp_path / "base", tmp_path / "new"
    shutil.copytree(PDFS, base)
    (new / "moderation").mkdir(parents=True)
    for pdf in base.glob("**/*Interview 5 - *.pdf"):
        shutil.move(pdf, new / pdf.relative_to(base))
    store = LadybugStore(tmp_path / "store")
    ingest(store, [base])
    return store, base, new


def test_a_new_interview_is_written_while_the_build_goes_on(tmp_path, corpus, monkeypatch):
    store, base, new = corpus
    started = []
    aggregates = graph_build.add_aggregates

    def watched(graph, totals):  # the step after every kept interview is put together
        started.append(store._prepared is not None and store._prepared._writer is not None)
        return aggregates(graph, totals)

    monkeypatch.setattr(graph_build, "add_aggregates", watched)
    ingest(store, [new])
    assert started == [True]  # the first write was under way before the build ended
    assert store.last_write == "changes" and store.written_first == ["interview-5"]
    assert _dump(store) == _dump(_full(tmp_path, base, new))
    assert sorted(p.name for p in store.path.glob("graph.lbug*")) == ["graph.lbug"]


def test_a_changed_interview_is_written_first_too(tmp_path, corpus):
    """Its old rows are deleted in the copy before its new ones are written."""
    store, base, new = corpus
    consensus = tmp_path / "later" / "moderation"
    consensus.mkdir(parents=True)
    for pdf in new.glob("moderation/*.pdf"):
        shutil.move(pdf, consensus / pdf.name)
    ingest(store, [new])
    ingest(store, [consensus])  # Interview 5 gets its consensus coder: built again
    assert store.last_write == "changes" and store.written_first == ["interview-5"]
    full = tmp_path / "all"
    shutil.copytree(base, full)
    shutil.copytree(new, full, dirs_exist_ok=True)
    shutil.copytree(consensus, full / "moderation", dirs_exist_ok=True)
    assert _dump(store) == _dump(_full(tmp_path, full))


def test_rows_the_build_changes_after_the_first_write_are_written_again(tmp_path, corpus, monkeypatch):
    """The first write guesses the rows from the interview alone; when the graph's rows differ,
    the interview is deleted and written again from the graph."""
    store, base, new = corpus
    rows_as_written = pipeline.written_rows

    def wrong(fragment, iid, *args):
        rows = rows_as_written(fragment, iid, *args)  # its rows are the build's: replaced, never edited
        excerpts = rows.table("Excerpt")
        first = next(iter(excerpts))
        excerpts[first] = {**excerpts[first], "text": "words the graph does not have"}
        return rows

    monkeypatch.setattr(pipeline, "written_rows", wrong)
    ingest(store, [new])
    assert store.last_write == "changes" and store.written_first == []
    assert _dump(store) == _dump(_full(tmp_path, base, new))


def test_a_first_write_that_fails_leaves_the_changes_to_a_fresh_copy(tmp_path, corpus, monkeypatch, caplog):
    store, base, new = corpus
    first_statements = ladybug_delta.first_statements

    def failing(*args, **kwargs):
        statements, first = first_statements(*args, **kwargs)
        return [*statements, ("RETURN $rows.missing.property", [{}])], first

    monkeypatch.setattr("challenge_graph.store.ladybug_store.first_statements", failing)
    with caplog.at_level("INFO", logger="challenge_graph.store.database_copy"):
        ingest(store, [new])
    assert "writing the built interviews first failed" in caplog.text
    assert store.last_write == "changes" and store.written_first == []
    assert _dump(store) == _dump(_full(tmp_path, base, new))
    assert sorted(p.name for p in store.path.glob("graph.lbug*")) == ["graph.lbug"]


def test_a_load_killed_during_the_first_write_leaves_nothing_the_next_one_reads(tmp_path, corpus):
    """A load killed while it writes into the copy leaves the copy and its log: the next load
    removes both before it copies the database again (a stale log would be replayed into it)."""
    store, base, new = corpus
    for suffix in ("", ".wal", ".shadow"):
        (store.path / f"graph.lbug.copy{suffix}").write_bytes(b"left by a killed load")
    ingest(store, [new])
    assert store.written_first == ["interview-5"]
    assert sorted(p.name for p in store.path.glob("graph.lbug*")) == ["graph.lbug"]
    assert _dump(store) == _dump(_full(tmp_path, base, new))


def test_more_interviews_than_the_first_write_takes_are_written_with_the_rest(tmp_path, corpus, monkeypatch):
    from challenge_graph.pipeline.fragments import KeptBuilds

    store, base, new = corpus
    monkeypatch.setattr(KeptBuilds, "FIRST_MAX", 0)
    ingest(store, [new])
    assert store.last_write == "changes" and store.written_first == []
    assert _dump(store) == _dump(_full(tmp_path, base, new))


def test_an_interview_needing_a_node_the_first_write_lacks_is_left_to_the_rest(corpus):
    """A relationship to a node neither the database nor the interview's rows have (here: a
    stage no row names) keeps that interview out of the first write."""
    store, _, _ = corpus
    old = store._written()
    iid, key = next(iter(old.interviews.items()))
    rows = ladybug_delta.GraphData()
    rows.add_node("Interview", {"id": "interview-new", "title": "new"})
    rows.add_rel("IN_STUDY", ("Interview", "interview-new"), ("Study", "no-such-study"))
    statements, first = ladybug_delta.first_statements(old, {"interview-new": ("k", rows)})
    assert statements == [] and first.interviews == {}
    rows.nodes["Study"]["no-such-study"] = {"id": "no-such-study"}
    statements, first = ladybug_delta.first_statements(old, {"interview-new": ("k", rows)})
    assert list(first.interviews) == ["interview-new"] and "no-such-study" in first.nodes["Study"]
    # an interview the database has with the same key is not written again
    statements, first = ladybug_delta.first_statements(old, {iid: (key, rows)})
    assert statements == [] and first.interviews == {}
    assert dataclasses.is_dataclass(first)

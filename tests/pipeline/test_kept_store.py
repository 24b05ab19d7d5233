"""The kept values of loads in one SQLite file: written by several processes at once, read back by
key, pruned by kind; anything unreadable is missing, never an error."""

from __future__ import annotations

import contextlib
import sqlite3

from challenge_graph.graph.model import Turn
from challenge_graph.pipeline.kept_store import KeptStore
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


def test_a_file_that_cannot_be_opened_keeps_nothing_and_raises_nothing(tmp_path):
    (tmp_path / "kept.sqlite").mkdir()  # a folder where the file should be
    kept = KeptStore(tmp_path / "kept.sqlite")
    kept.put("parsed", "k", [1])
    assert kept.get("parsed", "k") is None and not kept.has("parsed", "k")
    kept.keep_only("parsed", [])
    kept.close()

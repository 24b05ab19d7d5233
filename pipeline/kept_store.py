"""What loads keep between them (parsed files, built interviews, remembered figures), in one
SQLite file beside the store.

One file rather than one per entry: a load of 1,000 interviews keeps 2,600 values, and creating
a file for each cost more than writing them; a later load reads only the entries it asks for,
by key. Each value is kept bytes (:mod:`graph.kept_values`: MessagePack with a checksum, never a
pickle), so a changed byte is noticed and the entry built again from the sources.

Everything here can be rebuilt, so it is written for speed: the engine does not wait for the
disk on commit, and an entry, or the whole file, that cannot be read is logged and treated as
missing (a file that is not a database is replaced). Worker processes write their entries
themselves, each through its own connection; SQLite's write-ahead log lets the loading process
read meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from challenge_graph.graph.kept_values import decode_kept, encode_kept

__all__ = ["KeptStore"]

logger = logging.getLogger(__name__)

# written: when the entry was kept (nanoseconds since the epoch), as a file's modification time
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kept (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, "
    "written INTEGER NOT NULL, PRIMARY KEY (kind, key))"
)
_COLUMNS = ["kind", "key", "value", "written"]
BUSY_SECONDS = 120  # how long a writer waits for another process's write to end


class KeptStore:
    """Kept values by ``(kind, key)`` in the SQLite file at ``path`` (created on first use)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened _conn: a worker opens its own

    def __getstate__(self) -> dict[str, Any]:  # a worker process opens its own connection
        return {**self.__dict__, "_conn": None, "_pid": 0}

    def get(self, kind: str, key: str, expect: type | tuple[type, ...] = object, items: tuple[type, ...] = ()) -> Any:
        """The value kept under ``(kind, key)``, or None when there is none or it is damaged
        (logged; see :func:`graph.kept_values.read_kept` for ``expect`` and ``items``)."""
        row = self._query("SELECT value FROM kept WHERE kind = ? AND key = ?", (kind, key))
        if not row or not isinstance(row[0][0], bytes):
            return None
        return decode_kept(row[0][0], f"{self.path.name} ({kind} {key[:12]})", expect, items)

    def has(self, kind: str, key: str) -> bool:
        """True when an entry is kept under ``(kind, key)`` (it may still be damaged: see :meth:`get`)."""
        return bool(self._query("SELECT 1 FROM kept WHERE kind = ? AND key = ?", (kind, key)))

    def keys(self, kind: str) -> set[str]:
        """The keys kept under ``kind``."""
        return {row[0] for row in self._query("SELECT key FROM kept WHERE kind = ?", (kind,))}

    def put(self, kind: str, key: str, value: Any) -> bytes:
        """Keep ``value`` under ``(kind, key)``; a failure to write is logged, never raised (the
        next load builds the entry again). Returns the kept bytes (see :func:`graph.kept_values.encode_kept`)."""
        data = encode_kept(value)
        self._write(
            "INSERT OR REPLACE INTO kept (kind, key, value, written) VALUES (?, ?, ?, ?)",
            [(kind, key, data, time.time_ns())],
        )
        return data

    def keep_only(self, kind: str, keys: Iterable[str]) -> None:
        """Remove every entry of ``kind`` but ``keys`` (files no longer loaded leave the disk)."""
        wanted = set(keys)
        stale = [(kind, key) for key in self.keys(kind) if key not in wanted]
        if stale:
            self._write("DELETE FROM kept WHERE kind = ? AND key = ?", stale)

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn, self._pid = None, 0

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """``sql`` for each of ``rows``, in one transaction; a failure is logged, never raised
        (the next load builds what is missing again)."""
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")  # waits for another process's write to end
            try:
                conn.executemany(sql, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except (sqlite3.Error, OSError) as e:
            logger.warning("could not write to %s: %s", self.path, e)

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """The rows of a read; none when the file cannot be read (logged)."""
        try:
            return self._connection().execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as e:
            logger.warning("ignoring unreadable %s (built again from the sources): %s", self.path, e)
            return []

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn, self._pid = self._open(), os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        """A connection to the file, which is replaced when it is not a database this program made."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return _connect(self.path)
        except sqlite3.DatabaseError as e:
            logger.warning("replacing damaged %s (built again from the sources): %s", self.path, e)
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):  # not removable (a folder): connecting again says so
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return _connect(self.path)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # a cache: what a crash loses is built again
        conn.execute(_SCHEMA)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(kept)")]
        if columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"its table has columns {columns}, not {', '.join(_COLUMNS)}")
    except BaseException:
        conn.close()
        raise
    return conn

"""What loads keep between them (parsed files, built interviews, remembered figures), in one
SQLite file beside the store.

One file rather than one per entry: a load of 1,000 interviews keeps 2,600 values, and creating
a file for each cost more than writing them; a later load reads only the entries it asks for,
by key. Each value is kept bytes (:mod:`graph.kept_values`: MessagePack with a checksum, never a
pickle), so a changed byte is noticed and the entry built again from the sources.

An entry's bulky parts (an interview's turns, its excerpts) are kept apart, under the same key
and the kind with :data:`APART` appended, and read only when a step uses them
(:mod:`graph.kept_parts`): a load that adds one file to 1,000 interviews reads 11 MB, not 150.

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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from challenge_graph.graph.kept_files import decode_kept, encode_kept, encode_kept_apart
from challenge_graph.graph.kept_parts import KeptParts

__all__ = ["APART", "KeptStore"]

logger = logging.getLogger(__name__)

# written: when the entry was kept (nanoseconds since the epoch), as a file's modification time
_SCHEMA = (
    "CREATE TABLE kept (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, "
    "written INTEGER NOT NULL, PRIMARY KEY (kind, key))"
)
# everything the file may hold: the table and the index of its primary key (no view, trigger...)
_OBJECTS = [("index", "sqlite_autoindex_kept_1", None), ("table", "kept", _SCHEMA)]
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB: the file is replaced; other errors leave it be
BUSY_SECONDS = 120  # how long a writer waits for another process's write to end
_CHUNK = 500  # keys per query of get_many (SQLite takes up to 32,766 parameters)
APART = ":parts"  # appended to an entry's kind: the kind its parts are kept under


class ForeignKeptFile(sqlite3.DatabaseError):
    """A database that is not the one table this program writes."""


class KeptStore:
    """Kept values by ``(kind, key)`` in the SQLite file at ``path`` (created on first use)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened _conn: a worker opens its own
        self._unusable = False  # it could not be opened: keep nothing for the rest of this load
        self._damaged = False  # a damaged page was met: the file is replaced on close()

    def __getstate__(self) -> dict[str, Any]:  # a worker process opens its own connection
        return {**self.__dict__, "_conn": None, "_pid": 0}

    def get(self, kind: str, key: str, expect: type | tuple[type, ...] = object, items: tuple[type, ...] = ()) -> Any:
        """The value kept under ``(kind, key)``, or None when there is none or it is damaged
        (logged; see :func:`graph.kept_files.read_kept` for ``expect`` and ``items``)."""
        row = self._query("SELECT value FROM kept WHERE kind = ? AND key = ?", (kind, key))
        if not row or not isinstance(row[0][0], bytes):
            return None
        return decode_kept(row[0][0], self._where(kind, key), expect, items, parts=self._parts(kind, key))

    def sent(
        self, kind: str, key: str, data: bytes, expect: type | tuple[type, ...], items: tuple[type, ...] = ()
    ) -> Any:
        """The value of the bytes a worker process kept under ``(kind, key)`` a moment ago and sent
        back instead of the value itself (:meth:`put` returns them); they never fail to decode but
        by a bug, so their checksum, made for the disk, is not compared again."""
        where = "a value sent by a worker process"
        value = decode_kept(data, where, expect, items, checksum=False, parts=self._parts(kind, key))
        if value is None:
            raise ValueError("a value sent by a worker process did not decode")
        return value

    def _parts(self, kind: str, key: str) -> KeptParts | None:
        """Where the parts an entry set aside are read from (an entry of parts has none)."""
        return None if kind.endswith(APART) else KeptParts(_PartsOf(self, kind + APART, key))

    def _where(self, kind: str, key: str) -> str:
        return f"{self.path.name} ({kind} {key[:12]})"

    def get_many(
        self, kind: str, keys: Sequence[str], expect: type | tuple[type, ...] = object, items: tuple[type, ...] = ()
    ) -> Iterator[Any]:
        """What :meth:`get` gives for each of ``keys``, in their order: read a few hundred at a
        time (one query each, not one per key), each decoded as it is reached."""
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._query(f"SELECT key, value FROM kept WHERE kind = ? AND key IN ({marks})", (kind, *chunk))
            found = {key: value for key, value in rows if isinstance(value, bytes)}
            for key in chunk:
                data = found.get(key)
                if data is None:
                    yield None
                else:
                    yield decode_kept(data, self._where(kind, key), expect, items, parts=self._parts(kind, key))

    def has(self, kind: str, key: str) -> bool:
        """True when an entry is kept under ``(kind, key)`` (it may still be damaged: see :meth:`get`)."""
        return bool(self._query("SELECT 1 FROM kept WHERE kind = ? AND key = ?", (kind, key)))

    def keys(self, kind: str) -> set[str]:
        """The keys kept under ``kind``."""
        return {row[0] for row in self._query("SELECT key FROM kept WHERE kind = ?", (kind,))}

    def put(self, kind: str, key: str, value: Any) -> bytes:
        """Keep ``value`` under ``(kind, key)``, its bulky parts apart (see the module's text); a
        failure to write is logged, never raised (the next load builds the entry again). Returns
        the kept bytes, for :meth:`sent` (whole, with their parts in place, when they were not kept)."""
        data, parts = encode_kept_apart(value)
        written = time.time_ns()
        rows = [(kind, key, data, written)]
        if parts:
            rows.append((kind + APART, key, encode_kept(parts), written))
        if self._write("INSERT OR REPLACE INTO kept (kind, key, value, written) VALUES (?, ?, ?, ?)", rows):
            return data
        return encode_kept(value)

    def keep_only(self, kind: str, keys: Iterable[str]) -> None:
        """Remove every entry of ``kind`` but ``keys``, with their parts (files no longer loaded
        leave the disk: the file is written with ``secure_delete``, so their text does not stay
        in its free pages)."""
        wanted = set(keys)
        stale = [(k, key) for k in (kind, kind + APART) for key in self.keys(k) if key not in wanted]
        if stale:
            self._write("DELETE FROM kept WHERE kind = ? AND key = ?", stale)

    def discard(self) -> None:
        """Close the file and remove it: everything it kept is built again by the next load."""
        self.close()
        _remove(self.path)

    def close(self) -> None:
        """Close this process's connection; a file found damaged is removed (the next load
        builds everything again, and nothing it held stays on disk)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn, self._pid = None, 0
        if self._damaged:
            self._damaged = False
            _remove(self.path)

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> bool:
        """``sql`` for each of ``rows``, in one transaction; a failure is logged and gives False,
        never raised (the next load builds what is missing again)."""
        conn = None
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")  # waits for another process's write to end
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
            return True
        except (sqlite3.Error, OSError) as e:
            self._failed(e, "could not write to %s: %s")
            if conn is not None and conn.in_transaction:  # never leave the write lock held
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            return False

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """The rows of a read; none when the file cannot be read (logged)."""
        try:
            return self._connection().execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as e:
            self._failed(e, "ignoring unreadable %s (built again from the sources): %s")
            return []

    def _failed(self, error: BaseException, message: str) -> None:
        if _is_damage(error):
            self._damaged = True
        if not self._unusable or not isinstance(error, _Unusable):  # said once, not per entry
            logger.warning(message, self.path, error)
        if isinstance(error, _Unusable):
            self._unusable = True

    def _connection(self) -> sqlite3.Connection:
        if self._unusable:
            raise _Unusable(f"{self.path} could not be opened")
        if self._conn is None or self._pid != os.getpid():
            try:
                self._conn, self._pid = self._open(), os.getpid()
            except (sqlite3.Error, OSError) as e:
                raise _Unusable(str(e)) from e
        return self._conn

    def _open(self) -> sqlite3.Connection:
        """A connection to the file, which is replaced when it is not a database this program
        made (not a database, a damaged one, or one holding anything but the kept table)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return _connect(self.path)
        except sqlite3.DatabaseError as e:
            if not _is_damage(e):
                raise
            logger.warning("replacing damaged %s (built again from the sources): %s", self.path, e)
            _remove(self.path)
            return _connect(self.path)


class _PartsOf:
    """Reads the parts kept under ``(kind, key)`` of ``store`` (pickled to a worker process with
    the store, which opens its own connection there)."""

    def __init__(self, store: KeptStore, kind: str, key: str) -> None:
        self.store, self.kind, self.key = store, kind, key

    def __call__(self) -> list[bytes] | None:
        return self.store.get(self.kind, self.key, list, (bytes,))


class _Unusable(sqlite3.OperationalError):
    """The kept file could not be opened: nothing is kept or read for the rest of the load."""


def _is_damage(error: BaseException) -> bool:
    return isinstance(error, ForeignKeptFile) or getattr(error, "sqlite_errorcode", None) in _DAMAGED


def _remove(path: Path) -> None:
    """Remove the kept file, its log first (a log left beside a new file would be replayed into it)."""
    for suffix in ("-wal", "-shm", ""):
        with contextlib.suppress(OSError):  # not removable (a folder): opening it again says so
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA trusted_schema=OFF")  # a file from elsewhere runs none of its own SQL
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")  # a cache: what a crash loses is built again
        conn.execute("PRAGMA secure_delete=ON")  # a removed entry's text leaves the file's pages
        if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            conn.execute(_SCHEMA.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))  # another process may too
        objects = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall())
        if objects != _OBJECTS:
            raise ForeignKeptFile(f"it holds {', '.join(f'{t} {n}' for t, n, _ in objects)}, not only the kept table")
    except BaseException:
        conn.close()
        raise
    return conn

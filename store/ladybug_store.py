"""The embedded store: LadybugDB in one folder, rebuilt and swapped in atomically on each load.

Layout of the folder::

    graph.lbug        the database (one file once closed)
    sources/<sha256>  contents of every loaded file and codebook, so a load can rebuild all
    kept.sqlite       files already parsed and interviews already built, so a load redoes only what changed
    written.snapshot  the rows last written, so a load writes only its changes
    .lock             held by the process that is loading

A load builds ``graph.lbug.new`` with bulk ``COPY`` into empty tables, closes it, fsyncs it and
moves it over ``graph.lbug`` (``os.replace``): a crash leaves the old graph untouched, a reader
opened before the swap keeps the old graph and re-opens on its next query. Copies of sources
the new graph no longer uses leave ``sources/``. The write lock is an ``flock`` taken per load
(so two processes, or two threads of the dashboard, never load at once) and re-entrant only in
the thread that holds it. A checkpoint left pending (``graph.lbug.wal``/``.shadow``) is
completed by the next load, or by a reader that can take the lock.

Analysts' queries (:meth:`LadybugStore.run_analyst`) each open their own read-only database
with a small thread pool and the engine's query timeout, so a setting or a slow query of one
analyst never reaches another.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug

from challenge_graph.graph.errors import QueryError, QueryTimeoutError, StoreBusyError, StoreError
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import SourceFile
from challenge_graph.store.base import GraphStore, Progress, QueryResult, add_codebook_source, first_line
from challenge_graph.store.database_copy import PENDING_SUFFIXES, DatabaseCopy
from challenge_graph.store.ladybug_bulk import build_database, schema_statements
from challenge_graph.store.ladybug_delta import (
    Snapshot,
    apply_changes,
    first_statements,
    read_snapshot,
    snapshot_of,
    write_snapshot,
)
from challenge_graph.store.source_copies import SourceCopies, StoredSource, fsync

__all__ = ["LadybugStore", "schema_statements"]

logger = logging.getLogger(__name__)

DB_FILE = "graph.lbug"
COPY_SUFFIX = ".copy"  # the database file copied while a load builds (store/database_copy.py)
SNAPSHOT_FILE = "written.snapshot"  # the rows last written, to write only the next load's changes
KEPT_FILE = "kept.sqlite"  # what loads parsed and built (pipeline/kept_store.py)
FORMER_KEPT_FOLDERS = ("parsed", "fragments")  # where earlier versions kept it, a file per entry
ANALYST_THREADS = 2  # per analyst query: one query never takes a shared pool
ANALYST_BUFFER_BYTES = 1 << 30  # at least; four times the database file when that is larger
_RECOVERY_PENDING = "checkpoint recovery is pending"


class LadybugStore(GraphStore):
    """Graph store in a local folder (default ``./challenge-graph.db``)."""

    dialect = "ladybug"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(
                f"{self.path} is a file, not a database folder: give --db a folder (it is created if needed)"
            )
        self._db: ladybug.Database | None = None
        self._conn: ladybug.Connection | None = None
        self._opened: tuple[int, int] | None = None
        self._lock = threading.RLock()  # the shared read connection: one query at a time, closed by none meanwhile
        self._writer: int | None = None  # the thread holding the write lock
        self.copies = SourceCopies(self.path / "sources")  # the kept copies of the loaded files
        self.last_write = ""  # how the last load wrote: "changes" into a copy, or "full" from scratch
        self.written_first: list[str] = []  # interviews the last load wrote while it built (stage_interviews)
        self.analyst_memory: dict[str, int] = {}  # engine options of analysts' queries (limit_analyst_memory)
        self._snapshot: tuple[str, Snapshot] | None = None  # the last write's rows, by the file's stamp
        self._prepared: DatabaseCopy | None = None  # the database file being copied for the next write

    @property
    def db_file(self) -> Path:
        return self.path / DB_FILE

    def describe(self) -> str:
        return f"embedded LadybugDB at {self.path}"

    def kept_file(self) -> Path:
        return self.path / KEPT_FILE

    def version(self) -> str:
        try:
            stat = self.db_file.stat()
        except FileNotFoundError:
            return ""
        return f"{stat.st_ino}:{stat.st_mtime_ns}"

    def _contents_stamp(self) -> str:
        """Size and modification time of the database file: they move with any write, and a copy
        of the store folder that keeps times (``cp -a``) keeps them, so it keeps its snapshot."""
        stat = self.db_file.stat()
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    # --- reading ----------------------------------------------------------------------------
    def _stamp(self) -> tuple[int, int]:
        try:
            stat = self.db_file.stat()
        except FileNotFoundError:
            raise StoreError(f"no graph at {self.path} yet: run `challenge-graph load PATH` first") from None
        except OSError as e:
            raise StoreError(f"cannot read {self.db_file}: {e.strerror}") from None
        return stat.st_ino, stat.st_mtime_ns

    def _open_read_only(self, **options: Any) -> ladybug.Database:
        """The database opened read-only; a pending checkpoint is completed first when no load
        holds the lock, otherwise refused with a message saying what to do."""
        for attempt in (1, 2):
            try:
                return ladybug.Database(str(self.db_file), read_only=True, **options)
            except RuntimeError as e:
                if _RECOVERY_PENDING not in str(e) or attempt == 2:
                    raise StoreError(f"cannot open {self.db_file}: {first_line(str(e))}") from e
                try:
                    with self.writing():
                        self.recover()
                except StoreBusyError:
                    raise StoreError(
                        f"{self.db_file} has an unfinished checkpoint and a load is running: "
                        "try again when it has finished"
                    ) from None
        raise AssertionError("unreachable")

    def _connection(self) -> ladybug.Connection:
        stamp = self._stamp()
        if self._conn is None or stamp != self._opened:
            self.close()
            self._db = self._open_read_only()
            try:
                self._conn = ladybug.Connection(self._db)
            except RuntimeError as e:
                raise StoreError(f"cannot open {self.db_file}: {e}") from e
            self._opened = stamp
        return self._conn

    def _execute(self, cypher: str, params: dict[str, Any]) -> QueryResult:
        with self._lock:
            conn = self._connection()
            try:
                result = conn.execute(cypher, params)
            except RuntimeError as e:
                raise QueryError(first_line(str(e))) from e
            return _fetch(result, None)

    def _execute_analyst(
        self, cypher: str, params: dict[str, Any], timeout: float, max_rows: int | None
    ) -> QueryResult:
        """A fresh read-only database and connection for this query alone, closed after it."""
        self._stamp()
        options = self.analyst_memory or {
            "buffer_pool_size": max(ANALYST_BUFFER_BYTES, 4 * self.db_file.stat().st_size)
        }
        db = self._open_read_only(max_num_threads=ANALYST_THREADS, **options)
        conn = ladybug.Connection(db)
        try:
            conn.set_query_timeout(max(1, int(timeout * 1000)))
            try:
                result = conn.execute(cypher, params)
            except RuntimeError as e:
                if first_line(str(e)).startswith("Interrupted"):
                    raise QueryTimeoutError(
                        f"query stopped after {timeout:g} s (its time limit; raise it with --timeout)"
                    ) from None
                raise QueryError(first_line(str(e))) from e
            return _fetch(result, max_rows)
        finally:
            conn.close()
            db.close()

    def limit_analyst_memory(self, memory: int) -> int:
        """Open analysts' queries with a buffer pool of half of ``memory`` and an address
        reservation to fit (the sandbox's child caps its address space); returns the address
        space the engine then reserves, in bytes."""
        size = self.db_file.stat().st_size
        reserve = 1 << max(30, (2 * size).bit_length())  # a power of two, twice the file at least
        self.analyst_memory = {"buffer_pool_size": max(64 << 20, memory // 2), "max_db_size": reserve}
        return reserve + self.analyst_memory["buffer_pool_size"]

    def reopen_spec(self) -> dict[str, Any]:
        return {"kind": "ladybug", "path": str(self.path)}

    def close(self) -> None:
        with self._lock:  # never under a query another thread is running on it
            if self._conn is not None:
                self._conn.close()
            if self._db is not None:
                self._db.close()
            self._conn = self._db = self._opened = None

    # --- sources ----------------------------------------------------------------------------
    def _source_rows(self) -> list[dict[str, Any]]:
        """Name, kind and digest of each loaded file, by kind and name: from the snapshot of the
        last write when it still describes the database (a load need not open it), else queried."""
        if not self.db_file.exists():
            return []
        written = self._written()
        if written is not None:
            rows = [{p: row[p] for p in ("name", "kind", "sha256")} for row in written.nodes.get("Source", {}).values()]
            return sorted(rows, key=lambda row: (row["kind"], row["name"]))
        return self.run(
            "MATCH (s:Source) RETURN s.name AS name, s.kind AS kind, s.sha256 AS sha256 ORDER BY s.kind, s.name"
        ).as_dicts()

    def _written(self) -> Snapshot | None:
        """The snapshot of the last write (:mod:`store.ladybug_delta`), when it was taken of the
        database file as it is now (same size and modification time, no checkpoint pending); else None."""
        if not self.db_file.exists() or self._pending_files():
            return None
        stamp = self._contents_stamp()
        cached = self._snapshot  # read once: a load in another thread replaces it
        if cached is not None and cached[0] == stamp:
            return cached[1]
        snapshot = read_snapshot(self.path / SNAPSHOT_FILE)
        if snapshot is None or snapshot.database != stamp:
            return None  # not kept: the snapshot may be written a moment after the database
        self._snapshot = (stamp, snapshot)
        return snapshot

    def _blob(self, row: dict[str, Any]) -> SourceFile:
        blob = self.path / "sources" / row["sha256"]
        if not blob.is_file():
            raise StoreError(f"{self.path}: stored copy of {row['name']} is missing")
        return StoredSource(row["name"], blob, row["sha256"])

    def sources(self) -> list[SourceFile]:
        return [self._blob(r) for r in self._source_rows() if r["kind"] != "codebook"]

    def codebook(self) -> SourceFile | None:
        rows = [r for r in self._source_rows() if r["kind"] == "codebook"]
        return self._blob(rows[0]) if rows else None

    # --- writing ----------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock; a second writer (another process, or another thread of
        this one) gets :class:`StoreBusyError`. Re-entrant in the holding thread only (a load
        holds it from reading the loaded sources to swapping the new graph in)."""
        if self._writer == threading.get_ident():
            yield
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = open(self.path / ".lock", "a+")
        except OSError as e:
            raise StoreError(f"cannot write {self.path}: {e.strerror}") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                pid = lock.read().strip() or "unknown"
                raise StoreBusyError(
                    f"store is busy: another load (PID {pid}) is writing {self.path}; "
                    "wait for it to finish, then run the command again"
                ) from None
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()))
            lock.flush()
            self._writer = threading.get_ident()
            try:
                self.recover()
                self._remove_leftovers()
                yield
            finally:
                with contextlib.suppress(StoreError):  # the load's own error is the one raised
                    self.copies.discard_staged()  # no thread writes once the lock is released
                if self._prepared is not None:
                    self._prepared.discard()
                    self._prepared = None
                self._writer = None
                lock.truncate(0)
                fcntl.flock(lock, fcntl.LOCK_UN)

    def recover(self) -> None:
        """Complete a checkpoint left pending (``graph.lbug.wal``/``.shadow``) by opening the
        database read-write once, as LadybugDB asks; the write lock must be held."""
        if not any(self._pending_files()):
            return
        self.close()
        try:
            db = ladybug.Database(str(self.db_file))
            ladybug.Connection(db).close()
            db.close()
        except RuntimeError as e:
            raise StoreError(
                f"{self.db_file} has an unfinished checkpoint that could not be completed "
                f"({first_line(str(e))}); run `challenge-graph load PATH --replace` to rebuild it"
            ) from e
        logger.info("completed a pending checkpoint of %s", self.db_file)

    def _remove_leftovers(self) -> None:
        """Remove temporary files a load killed mid-write left behind (``.new-*`` kept files,
        ``.*.tmp`` source copies), and the folders earlier versions kept parsed files and built
        interviews in (they hold transcript text nothing reads any more); the write lock must be
        held, so no load is writing them."""
        for suffix in ("", *PENDING_SUFFIXES):  # a copy written into has a log of its own
            (self.path / (DB_FILE + COPY_SUFFIX + suffix)).unlink(missing_ok=True)
        for folder in (self.path, self.path / "sources"):
            for pattern in (".new-*", ".*.tmp"):
                for leftover in folder.glob(pattern):
                    leftover.unlink(missing_ok=True)
        for name in FORMER_KEPT_FOLDERS:
            if (self.path / name).is_dir():
                shutil.rmtree(self.path / name, ignore_errors=True)

    def _pending_files(self) -> list[Path]:
        return [p for p in (self.path / (DB_FILE + s) for s in PENDING_SUFFIXES) if p.exists()]

    def stage_sources(self, sources: Sequence[SourceFile]) -> None:
        """Start writing the copies of ``sources`` not kept yet while the load parses and builds
        (:meth:`SourceCopies.stage`), and the copy of the database file that writing the changes
        starts from (:class:`DatabaseCopy`); the lock is held until they are written (:meth:`writing`)."""
        self.copies.stage(sources)
        if self._prepared is None and self._written() is not None:  # the changes may be written
            self._prepared = DatabaseCopy(self.db_file, self.path / (DB_FILE + COPY_SUFFIX))

    def stage_interviews(self, built: dict[str, tuple[str, GraphData]]) -> None:
        """Write the interviews the load built into the copy of the database the changes start
        from, on a thread, while the build goes on (:meth:`DatabaseCopy.write_first`)."""
        last = self._written()
        if self._prepared is None or last is None:
            return
        statements, first = first_statements(last, built)
        if statements:
            self._prepared.write_first(statements, first)

    def replace_graph(
        self,
        graph: GraphData,
        sources: Sequence[SourceFile],
        codebook: SourceFile,
        progress: Progress | None = None,
    ) -> None:
        with self.writing():
            self.copies.wait()
            prepared, self._prepared = self._prepared, None
            copied = prepared.take() if prepared else None  # open, maybe with interviews written into it
            self.copies.write([*sources, codebook])
            add_codebook_source(graph, codebook)
            new = self.path / (DB_FILE + ".new")
            for stale in self.path.glob(DB_FILE + ".new*"):
                stale.unlink()
            snapshot = self.path / SNAPSHOT_FILE
            last = self._written()
            try:
                # a few changed interviews are written into a copy of the database, else all of it
                self.written_first = []
                if last and apply_changes(self.db_file, new, last, graph, copied):
                    self.last_write = "changes"
                    self.written_first = sorted(copied.first.stood) if copied and copied.first else []
                else:
                    build_database(new, graph, progress)
                    self.last_write = "full"
                if progress:
                    progress("wrote the changed rows" if self.last_write == "changes" else "wrote every row")
                fsync(new)
            except BaseException:
                new.unlink(missing_ok=True)
                raise
            finally:
                if prepared:  # closed and moved by a write of the changes; else closed and removed here
                    prepared.discard()
            for stale in self._pending_files():  # they belong to the file being replaced
                stale.unlink()
            os.replace(new, self.db_file)
            fsync(self.path)
            self.close()
            self._snapshot = None  # read again from the file when next asked
            write_snapshot(snapshot, snapshot_of(graph, self._contents_stamp()))
            self.copies.keep_only({s.sha256 for s in [*sources, codebook]})


def _fetch(result: Any, max_rows: int | None) -> QueryResult:
    """Rows of a LadybugDB result (the last one of several statements), at most ``max_rows``."""
    if isinstance(result, list):
        for extra in result[:-1]:
            extra.close()
        result = result[-1]
    try:
        columns = result.get_column_names()
        if max_rows is None:
            return QueryResult(columns, _all_rows(result))
        rows = []
        while result.has_next() and len(rows) < max_rows:
            rows.append(tuple(result.get_next()))
        return QueryResult(columns, rows, truncated=result.has_next())
    finally:
        result.close()


def _all_rows(result: Any) -> list[tuple[Any, ...]]:
    """Every row of a result, read column by column through Arrow (the same values as row by
    row, 2-5 times faster on large results); row by row when a type has no Arrow form."""
    try:
        table = result.get_as_arrow()
    except Exception:  # noqa: BLE001 - any conversion gap: the row-by-row path reads every type
        result.reset_iterator()
        return [tuple(row) for row in result.get_all()]
    return list(zip(*(column.to_pylist() for column in table.columns)))

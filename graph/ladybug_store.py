"""The embedded store: LadybugDB in one folder, rebuilt and swapped in atomically on each load.

Layout of the folder::

    graph.lbug        the database (one file once closed)
    sources/<sha256>  contents of every loaded file and codebook, so a load can rebuild all
    .lock             held by the process that is loading

A load builds ``graph.lbug.new`` with bulk ``COPY`` into empty tables, closes it and moves it
over ``graph.lbug`` (``os.replace``): a crash leaves the old graph untouched, a reader opened
before the swap keeps the old graph and re-opens on its next query.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ladybug
import pandas as pd

from graph.build import GraphData
from graph.errors import QueryError, StoreBusyError, StoreError
from graph.model import NODES, RELATIONSHIPS, SourceFile
from graph.store import GraphStore, Progress, QueryResult

__all__ = ["LadybugStore", "schema_statements"]

logger = logging.getLogger(__name__)

DB_FILE = "graph.lbug"


def schema_statements() -> list[str]:
    """DDL for every node and relationship table of the graph model."""
    statements = []
    for label, props in NODES.items():
        columns = ", ".join(f"{name} {kind}" for name, kind in props.items())
        statements.append(f"CREATE NODE TABLE {label}({columns}, PRIMARY KEY(id))")
    for rel, (pairs, props) in RELATIONSHIPS.items():
        ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
        extra = "".join(f", {name} {kind}" for name, kind in props.items())
        statements.append(f"CREATE REL TABLE {rel}({ends}{extra})")
    return statements


class LadybugStore(GraphStore):
    """Graph store in a local folder (default ``./challenge-graph.db``)."""

    dialect = "ladybug"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: ladybug.Database | None = None
        self._conn: ladybug.Connection | None = None
        self._opened: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._writing = False

    @property
    def db_file(self) -> Path:
        return self.path / DB_FILE

    def describe(self) -> str:
        return f"embedded LadybugDB at {self.path}"

    def version(self) -> str:
        try:
            stat = self.db_file.stat()
        except FileNotFoundError:
            return ""
        return f"{stat.st_ino}:{stat.st_mtime_ns}"

    # --- reading ----------------------------------------------------------------------------
    def _connection(self) -> ladybug.Connection:
        try:
            stat = self.db_file.stat()
        except FileNotFoundError:
            raise StoreError(
                f"no graph at {self.path} yet: run `challenge-graph load PATH` first"
            ) from None
        stamp = (stat.st_ino, stat.st_mtime_ns)
        if self._conn is None or stamp != self._opened:
            self.close()
            try:
                self._db = ladybug.Database(str(self.db_file), read_only=True)
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
                raise QueryError(_first_line(str(e))) from e
            if isinstance(result, list):  # several statements: the last one answers
                result = result[-1]
            columns = result.get_column_names()
            rows = [tuple(row) for row in result.get_all()]
            result.close()
        return QueryResult(columns, rows)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._db is not None:
            self._db.close()
        self._conn = self._db = self._opened = None

    # --- sources ----------------------------------------------------------------------------
    def _source_rows(self) -> list[dict[str, Any]]:
        if not self.db_file.exists():
            return []
        return self.run(
            "MATCH (s:Source) RETURN s.name AS name, s.kind AS kind, s.sha256 AS sha256 "
            "ORDER BY s.kind, s.name"
        ).as_dicts()

    def _blob(self, row: dict[str, Any]) -> SourceFile:
        try:
            data = (self.path / "sources" / row["sha256"]).read_bytes()
        except OSError as e:
            raise StoreError(f"{self.path}: stored copy of {row['name']} is missing ({e.strerror})") from e
        return SourceFile(row["name"], data)

    def sources(self) -> list[SourceFile]:
        return [self._blob(r) for r in self._source_rows() if r["kind"] != "codebook"]

    def codebook(self) -> SourceFile | None:
        rows = [r for r in self._source_rows() if r["kind"] == "codebook"]
        return self._blob(rows[0]) if rows else None

    # --- writing ----------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock; a second writer gets :class:`StoreBusyError`.
        Re-entrant within this store object (a load holds it from reading the loaded sources
        to swapping the new graph in, so no concurrent load's files are lost)."""
        if self._writing:
            yield
            return
        self.path.mkdir(parents=True, exist_ok=True)
        lock_path = self.path / ".lock"
        with open(lock_path, "a+") as lock:
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
            self._writing = True
            try:
                yield
            finally:
                self._writing = False
                lock.truncate(0)
                fcntl.flock(lock, fcntl.LOCK_UN)

    def replace_graph(
        self,
        graph: GraphData,
        sources: Sequence[SourceFile],
        codebook: SourceFile,
        progress: Progress | None = None,
    ) -> None:
        with self.writing():
            blobs = self.path / "sources"
            blobs.mkdir(exist_ok=True)
            for source in [*sources, codebook]:
                target = blobs / source.sha256
                if not target.exists():
                    _write_atomically(target, source.data)
            graph.add_node("Source", {
                "id": f"codebook:{codebook.name}", "name": codebook.name, "kind": "codebook",
                "format": "codebook-yaml", "sha256": codebook.sha256,
            })
            new = self.path / (DB_FILE + ".new")
            for stale in self.path.glob(DB_FILE + ".new*"):
                stale.unlink()
            try:
                _build_database(new, graph, progress)
            except BaseException:
                new.unlink(missing_ok=True)
                raise
            os.replace(new, self.db_file)
            self.close()


def _build_database(path: Path, graph: GraphData, progress: Progress | None) -> None:
    """Create a fresh database at ``path`` and bulk-copy every table into it."""
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    try:
        for statement in schema_statements():
            conn.execute(statement)
        for label, props in NODES.items():
            rows = graph.node_rows(label)
            if rows:  # COPY only into empty tables of this fresh database (see DESIGN.md)
                if progress:
                    progress(f"{label}: {len(rows)}")
                frame = pd.DataFrame(rows, columns=list(props))  # COPY reads it by name
                conn.execute(f"COPY {label} FROM frame")
        for rel, (_, props) in RELATIONSHIPS.items():
            groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            for row in graph.rel_rows(rel):
                groups[(row["srcLabel"], row["dstLabel"])].append(row)
            for (src, dst), rows in groups.items():
                if progress:
                    progress(f"{rel} {src}->{dst}: {len(rows)}")
                frame = pd.DataFrame(rows, columns=["src", "dst", *props])  # COPY reads it by name
                conn.execute(f"COPY {rel} FROM frame (from='{src}', to='{dst}')")
    except RuntimeError as e:
        raise StoreError(f"building {path.name} failed: {_first_line(str(e))}") from e
    finally:
        conn.close()
        db.close()


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message

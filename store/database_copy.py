"""The database file copied on a thread while a load parses and builds, and written into there.

Writing a few interviews' changes starts from a copy of the current database file
(:func:`store.ladybug_delta.apply_changes`): copying 120 MB at 1,000 interviews takes 0.2-0.5 s,
which a load otherwise spends on nothing else. The copy is started once the load holds the write
lock and has files to load, so the file cannot change meanwhile.

The interviews the load builds are known before the rest of the graph: their own rows can be
written into the copy, and checkpointed, while the build puts the kept interviews together
(:meth:`DatabaseCopy.write_first`). LadybugDB's checkpoint costs about 20 ms for each table a
change touches, whatever the rows: at 1,000 interviews, adding one spent 0.25 s of its 0.4 s of
checkpoint on the tables an interview owns. The engine lets go of Python's lock while a statement
runs, so the build goes on meanwhile, though both slow down: the first write takes about 0.5 s
beside the build where it takes 0.3 s alone. The copy is opened on the thread that makes it, so
no write waits for LadybugDB to open it.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Any

import ladybug

from challenge_graph.store.ladybug_delta import FirstWrite, OpenCopy

__all__ = ["PENDING_SUFFIXES", "DatabaseCopy"]

logger = logging.getLogger(__name__)

PENDING_SUFFIXES = (".wal", ".shadow")  # beside an open database, or one whose checkpoint did not finish


class DatabaseCopy:
    """A copy of ``source`` being written at ``target`` and opened, on a thread (started at once)."""

    def __init__(self, source: Path, target: Path) -> None:
        self.target = target
        self._opened: OpenCopy | None = None
        self._failure: list[BaseException] = []
        target.touch()  # there from the start: a load that stops now still sees (and removes) it
        self._thread = threading.Thread(target=self._copy, args=(source,), name="challenge-graph copy", daemon=True)
        self._thread.start()
        self._writer: threading.Thread | None = None

    def _copy(self, source: Path) -> None:
        try:
            shutil.copyfile(source, self.target)  # sendfile(): the copy runs outside the interpreter's lock
            self._opened = OpenCopy(self.target, ladybug.Database(str(self.target)))
        except BaseException as e:  # noqa: BLE001 - the write copies the file itself instead
            self._failure.append(e)

    def write_first(self, statements: list[tuple[str, list[dict[str, Any]]]], first: FirstWrite) -> None:
        """Write ``statements`` (:func:`store.ladybug_delta.first_statements`) into the copy once it
        is open, and checkpoint, on a thread (:meth:`OpenCopy.write_first`); :meth:`take` waits for
        them. Once only."""
        if self._writer is not None:
            raise RuntimeError("the copy is written into once")
        self._writer = threading.Thread(
            target=self._write, args=(statements, first), name="challenge-graph first write", daemon=True
        )
        self._writer.start()

    def _write(self, statements: list[tuple[str, list[dict[str, Any]]]], first: FirstWrite) -> None:
        self._thread.join()
        if self._failure or self._opened is None:
            return
        try:
            self._opened.write_first(statements, first)
        except BaseException as e:  # noqa: BLE001 - the changes are written from a fresh copy instead
            logger.info("writing the built interviews first failed (%s): the changes start from a fresh copy", e)
            self._failure.append(e)

    def take(self) -> OpenCopy | None:
        """Wait for the copy (and the first write): the copy, open, or None when either failed
        (nothing is left behind); the write that takes it closes it, else :meth:`discard` does."""
        self._join()
        if self._failure:
            self._remove()
            return None
        return self._opened

    def discard(self) -> None:
        """Wait for the copy, close it and remove it (the load ended without writing from it)."""
        self._join()
        self._remove()

    def _join(self) -> None:
        self._thread.join()
        if self._writer is not None:
            self._writer.join()

    def _remove(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = None
        for path in [self.target, *(self.target.with_name(self.target.name + s) for s in PENDING_SUFFIXES)]:
            path.unlink(missing_ok=True)

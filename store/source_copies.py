"""The copies of loaded files an embedded store keeps (``sources/<sha256>``), so that a load can
rebuild the whole graph from them.

A copy is named by its contents' SHA-256 and written through a temporary file, flushed and renamed
into place; a copy is read back only through the graph's ``Source`` rows, and checked against its
SHA-256 then. A load's new copies can be written on a thread while it parses and builds
(:meth:`SourceCopies.stage`): disk writes and flushes release the interpreter.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from challenge_graph.graph.errors import StoreError
from challenge_graph.graph.model import SourceFile

__all__ = ["MAX_SOURCE_BYTES", "SourceCopies", "StoredSource", "fsync"]

MAX_SOURCE_BYTES = 600 << 20  # larger than any file a loader accepts (REFI-QDA projects: 500 MB)


class SourceCopies:
    """The copies in ``folder``; only the process holding the store's write lock calls these."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staging: tuple[threading.Thread, list[BaseException]] | None = None
        self._staged: set[str] = set()  # copies stage() wrote that no keep_only() has kept yet

    def stage(self, sources: Sequence[SourceFile]) -> None:
        """Write the copies of ``sources`` not kept yet on a thread; :meth:`wait` for them. Copies
        no :meth:`keep_only` keeps afterwards (a load that failed) are removed by :meth:`discard_staged`."""
        self.wait()
        todo = self._missing(sources)
        if not todo:
            return
        self._staged |= set(todo)
        failure: list[BaseException] = []

        def write() -> None:
            try:
                write_all_atomically(self.folder, todo)
            except BaseException as e:  # noqa: BLE001 - raised by the thread that waits for it
                failure.append(e)

        thread = threading.Thread(target=write, name="challenge-graph sources", daemon=True)
        thread.start()
        self._staging = (thread, failure)

    def wait(self) -> None:
        """Wait for :meth:`stage`'s thread; raise what it raised, as a :class:`StoreError`."""
        staging, self._staging = self._staging, None
        if staging is None:
            return
        thread, failure = staging
        thread.join()
        if failure:
            raise StoreError(f"cannot keep copies of the sources in {self.folder}: {failure[0]}")

    @property
    def staging(self) -> bool:
        """True while a :meth:`stage` has not been waited for."""
        return self._staging is not None

    def write(self, sources: Iterable[SourceFile]) -> None:
        """Write the copies of ``sources`` not kept yet, here."""
        write_all_atomically(self.folder, self._missing(sources))

    def keep_only(self, digests: set[str]) -> None:
        """Delete the copies of sources the graph no longer uses (a transcript taken out of the
        corpus leaves the disk) and temporary files left by a crash."""
        self._staged.clear()
        for path in self.folder.iterdir():
            if path.name not in digests:
                path.unlink(missing_ok=True)

    def discard_staged(self) -> None:
        """Wait for :meth:`stage`, then delete the copies it wrote that no graph kept: they were
        not there before the load (:meth:`stage` writes only missing ones), so no graph uses them."""
        try:
            self.wait()
        finally:
            for digest in self._staged:
                (self.folder / digest).unlink(missing_ok=True)
            self._staged.clear()

    def _missing(self, sources: Iterable[SourceFile]) -> dict[str, SourceFile]:
        self.folder.mkdir(parents=True, exist_ok=True)
        return {s.sha256: s for s in sources if not (self.folder / s.sha256).exists()}


class StoredSource(SourceFile):
    """A source kept in the store's folder: its digest is known, its contents are read only when
    a load needs them (a file already parsed is taken from the parse cache by name and digest)."""

    def __init__(self, name: str, blob: Path, sha256: str) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "origin", "")
        object.__setattr__(self, "_path", blob)
        self.__dict__["sha256"] = sha256  # SourceFile.sha256 is a cached property

    @functools.cached_property
    def data(self) -> bytes:  # type: ignore[override]
        """The kept copy's bytes, checked against the SHA-256 recorded when it was loaded: a
        changed copy is reported, never built into the graph."""
        try:
            size = self._path.stat().st_size
            if size > MAX_SOURCE_BYTES:  # no loader takes a file this large: never read it whole
                raise StoreError(f"the kept copy of {self.name} ({self._path}) is {size:,} bytes, no source's size")
            digest = hashlib.sha256()
            with self._path.open("rb") as f:  # checked as it streams, before it is held whole
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
            matches = digest.hexdigest() == self.sha256
            data = self._path.read_bytes() if matches else b""
        except OSError as e:
            raise StoreError(f"stored copy of {self.name} is missing ({e.strerror})") from e
        if not matches or hashlib.sha256(data).hexdigest() != self.sha256:  # changed while read: still refused
            raise StoreError(
                f"the kept copy of {self.name} ({self._path}) has changed since it was loaded (its SHA-256 "
                f"differs): load the original file again, or load with --replace without it"
            )
        return data


def write_all_atomically(folder: Path, sources: dict[str, SourceFile]) -> None:
    """Write each source's bytes to ``folder/<name>`` through a temporary file: all are written,
    then each is flushed to disk and renamed into place, and the folder flushed once (the disk
    flushes its journal once for many files, not once per file)."""
    written = []
    try:
        for name, source in sources.items():
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            written.append((tmp, folder / name))
            tmp.write_bytes(source.data)
        for tmp, _ in written:
            fsync(tmp)
        for tmp, target in written:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise
    if written:
        fsync(folder)


def fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

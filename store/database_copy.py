"""The database file copied on a thread while a load parses and builds.

Writing a few interviews' changes starts from a copy of the current database file
(:func:`store.ladybug_delta.apply_changes`): copying 120 MB at 1,000 interviews takes 0.2-0.5 s,
which a load otherwise spends on nothing else. The copy is started once the load holds the write
lock and has files to load, so the file cannot change meanwhile.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

__all__ = ["DatabaseCopy"]


class DatabaseCopy:
    """A copy of ``source`` being written at ``target`` on a thread (started at once)."""

    def __init__(self, source: Path, target: Path) -> None:
        self.target = target
        self._failure: list[BaseException] = []
        target.touch()  # there from the start: a load that stops now still sees (and removes) it
        self._thread = threading.Thread(target=self._copy, args=(source,), name="challenge-graph copy", daemon=True)
        self._thread.start()

    def _copy(self, source: Path) -> None:
        try:
            shutil.copyfile(source, self.target)  # sendfile(): the copy runs outside the interpreter's lock
        except BaseException as e:  # noqa: BLE001 - the write copies the file itself instead
            self._failure.append(e)

    def take(self) -> Path | None:
        """Wait for the copy: its path, or None when it failed (nothing is left behind)."""
        self._thread.join()
        if self._failure:
            self.target.unlink(missing_ok=True)
            return None
        return self.target

    def discard(self) -> None:
        """Wait for the copy and remove it (the load ended without writing from it)."""
        self._thread.join()
        self.target.unlink(missing_ok=True)

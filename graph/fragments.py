"""Built interviews kept beside a store, so that a load rebuilds only the interviews it touches.

A fragment holds the rows one interview contributes to the graph (its excerpts, speakers,
coders, codings, tool mentions) and what the build noticed on the way. It is keyed by
everything those rows depend on: the records that make up the interview (their files' names
and contents), the codebook, the build's own code, and the options of the load. The rest of
the graph (codes' evidence counts, fixes, participants' attributes) is computed after the
fragments are put together, so an incremental load and a full rebuild give the same rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["FragmentCache", "build_version"]

logger = logging.getLogger(__name__)

# the modules whose code decides what an interview's rows are
_BUILD_MODULES = ("build.py", "align.py", "autocode.py", "codebook.py", "model.py", "speakers.py")


@cache
def build_version() -> str:
    """A digest of the code that turns records into rows: any change to it makes every kept
    fragment stale."""
    folder = resources.files("challenge_graph.graph")
    digest = hashlib.sha256()
    for name in _BUILD_MODULES:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:16]


class FragmentCache:
    """Fragments, one pickle per key in ``folder``; a missing or damaged entry is rebuilt.
    ``salt`` names what else the records depend on (the loaders' version)."""

    def __init__(self, folder: Path | str, salt: str = "") -> None:
        self.folder = Path(folder)
        self.salt = salt
        self.used: set[str] = set()  # keys read or written since this cache was opened

    def key(self, *parts: Any) -> str:
        """A digest of ``parts`` (strings, numbers, booleans, tuples or lists of them), the
        salt and the build's version.

        >>> cache = FragmentCache("unused")
        >>> cache.key("a", ("b", 1)) == cache.key("a", ("b", 1)) != cache.key("a", ("b", 2))
        True
        """
        digest = hashlib.sha256(f"{build_version()}\0{self.salt}\0".encode())
        digest.update(repr(parts).encode("utf-8"))
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        try:
            return pickle.loads((self.folder / key).read_bytes())  # noqa: S301 - written by put() below
        except FileNotFoundError:
            return None
        except Exception as e:  # noqa: BLE001 - a damaged entry costs one rebuild, never a load
            logger.warning("ignoring damaged fragment %s: %s", key, e)
            return None

    def put(self, key: str, fragment: Any) -> None:
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".new-", delete=False) as f:
            f.write(pickle.dumps(fragment, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(f.name, self.folder / key)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove every entry but ``keys``: interviews no longer loaded leave the disk."""
        wanted = set(keys)
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)

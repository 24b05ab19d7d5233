"""Parsed records kept beside a store, so that a load parses only the files it has not seen.

An entry is keyed by everything its records depend on: the file's name and contents, the codes
the codebook knows (text exports read them as tags), and the loaders' own code (a digest of
their source files, so an upgrade re-parses everything). Entries hold transcript text: they
live in the store's kept file (:mod:`pipeline.kept_store`) and leave it with their source
(:meth:`ParseCache.keep_only`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from importlib import resources

from challenge_graph.graph.model import CodingSet, Interview, ParticipantSheet, Protocol, Record, SourceFile
from challenge_graph.pipeline.kept_store import KeptStore

RECORD_TYPES = (Interview, CodingSet, Protocol, ParticipantSheet)

__all__ = ["ParseCache", "loader_version"]


@cache
def loader_version() -> str:
    """A digest of the code that turns files into records (the loaders, the record model and the
    speaker rules): any change to it makes every cached entry stale."""
    loaders = resources.files("challenge_graph.loaders")
    graph = resources.files("challenge_graph.graph")
    files = sorted((f for f in loaders.iterdir() if f.name.endswith(".py")), key=lambda f: f.name)
    digest = hashlib.sha256()
    for file in [*files, graph / "model.py", graph / "speakers.py"]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


class ParseCache:
    """Records parsed from source files, kept in ``kept`` as entries of kind ``parsed``."""

    KIND = "parsed"

    def __init__(self, kept: KeptStore) -> None:
        self.kept = kept

    def key(self, source: SourceFile, known_codes: Collection[str]) -> str:
        digest = hashlib.sha256()
        for part in (loader_version(), source.name, source.sha256, *sorted(known_codes)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> list[Record] | None:
        """The cached records, or None (a missing or unreadable entry is simply parsed again)."""
        return self.kept.get(self.KIND, key, list, RECORD_TYPES)

    def get_many(self, keys: Sequence[str]) -> list[list[Record] | None]:
        """What :meth:`get` gives for each of ``keys``, read in a few queries."""
        return list(self.kept.get_many(self.KIND, keys, list, RECORD_TYPES))

    def put(self, key: str, records: list[Record]) -> bytes:
        """Keep ``records``; returns the kept bytes (see :meth:`sent`)."""
        return self.kept.put(self.KIND, key, records)

    def sent(self, key: str, data: bytes) -> list[Record]:
        """The records of the bytes a worker process kept under ``key`` and sent back (:meth:`put`):
        their turns are read from the kept file when used (:meth:`KeptStore.sent`)."""
        return self.kept.sent(self.KIND, key, data, list, RECORD_TYPES)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove every entry but ``keys``: a file taken out of the corpus leaves the disk."""
        self.kept.keep_only(self.KIND, keys)

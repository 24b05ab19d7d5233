"""A source file on disk whose bytes are read when a step needs them, never held by the load.

A load of 10,000 interviews finds 700 MB of files: holding them all from discovery to the
write doubles the load's memory. A :class:`FileSource` takes the file's SHA-256 once, when it
is found (the parse cache and the store's copies are keyed by it), and reads the bytes again
where they are used (a worker parsing the file, the store copying it), each time checked
against that digest: a file changed meanwhile is refused by name, never loaded half old, half new.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import SourceFile

__all__ = ["FileSource"]


class FileSource(SourceFile):
    """The file at ``path``, named ``name`` in the graph (``origin``: the path as given)."""

    def __init__(self, name: str, path: Path, origin: str = "") -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "path", Path(path))
        with self.path.open("rb") as f:  # streamed: a large project is never held whole here
            self.__dict__["sha256"] = hashlib.file_digest(f, "sha256").hexdigest()  # a cached property

    @property
    def data(self) -> bytes:  # type: ignore[override]
        """The file's bytes, as they were when it was found."""
        try:
            data = self.path.read_bytes()
        except OSError as e:
            raise LoaderError(self.where, None, f"cannot read file: {e.strerror}") from e
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise LoaderError(self.where, None, "the file changed while it was being loaded: load it again")
        return data

    def renamed(self, name: str) -> FileSource:
        twin = object.__new__(FileSource)
        twin.__dict__.update(self.__dict__, name=name)
        return twin

    # compared and hashed by digest: the dataclass's own would read the file each time
    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, SourceFile):
            return NotImplemented
        return (self.name, self.sha256, self.origin) == (other.name, other.sha256, other.origin)

    def __hash__(self) -> int:
        return hash((self.name, self.sha256, self.origin))

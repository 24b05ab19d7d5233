"""One error hierarchy: the CLI and the dashboard catch ChallengeGraphError and nothing broader."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ChallengeGraphError",
    "LoaderError",
    "UnsupportedFormatError",
    "CodebookError",
    "StoreError",
    "StoreBusyError",
    "QueryError",
    "ReadOnlyError",
    "QueryTimeoutError",
    "QueryMemoryError",
]


class ChallengeGraphError(Exception):
    """Base class of every error this project raises on purpose."""


class LoaderError(ChallengeGraphError):
    """An input file could not be parsed; the message is ``file:line: reason``."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")

    def __reduce__(self):  # pickled with its parts (a parse in another process raises it here)
        return type(self), (self.path, self.line, self.reason)


class UnsupportedFormatError(LoaderError):
    """No loader reads this kind of file."""


class CodebookError(LoaderError):
    """A codebook file is malformed (bad YAML, unknown key, missing field)."""


class StoreError(ChallengeGraphError):
    """The graph store could not be opened, written or read."""


class StoreBusyError(StoreError):
    """Another process is writing the store."""


class QueryError(ChallengeGraphError):
    """A query is unknown, has bad parameters, or failed to run."""


class ReadOnlyError(QueryError):
    """A write was attempted through a read-only entry point."""


class QueryTimeoutError(QueryError):
    """A query ran longer than its timeout and was stopped."""


class QueryMemoryError(QueryError):
    """A query used more memory than its limit and was stopped."""

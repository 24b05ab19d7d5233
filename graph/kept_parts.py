"""The bulky parts of a kept value, kept apart from the rest and read only when used.

A built interview's excerpts and their relationships, and a parsed file's turns, are kept as
bytes decoded when read (:class:`graph.kept_values.PackedRows`, :class:`~graph.kept_values.LazyRecords`).
They are nine tenths of what a load keeps, and a load that adds one file to a corpus reads every
other interview's codings and figures but none of their text. Packed inside
:func:`setting_aside`, those bytes go to a list of their own (the value holds their index in
it), which the caller keeps under a key of its own; read inside :func:`reading_parts`, the value
holds a :class:`Part` that reads its bytes from there when first used. Outside both, the bytes
stay in place, as in a file that keeps a value whole (:func:`graph.kept_files.write_kept`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

__all__ = [
    "DamagedKeptFile",
    "KeptParts",
    "Part",
    "kept_bytes",
    "reading_parts",
    "resolved",
    "set_aside",
    "setting_aside",
]


class DamagedKeptFile(ValueError):
    """A kept file whose checksum, format or contents are not what this program writes."""


_SETTING_ASIDE: ContextVar[list[bytes] | None] = ContextVar("setting_aside", default=None)
_READING: ContextVar[KeptParts | None] = ContextVar("reading_parts", default=None)


@contextlib.contextmanager
def setting_aside() -> Iterator[list[bytes]]:
    """The list the bytes :func:`set_aside` is given while packing go to, in their order."""
    parts: list[bytes] = []
    token = _SETTING_ASIDE.set(parts)
    try:
        yield parts
    finally:
        _SETTING_ASIDE.reset(token)


@contextlib.contextmanager
def reading_parts(parts: KeptParts | None) -> Iterator[None]:
    """While unpacking, an index kept in place of bytes reads them from ``parts``."""
    token = _READING.set(parts)
    try:
        yield
    finally:
        _READING.reset(token)


def set_aside(data: bytes) -> bytes | int:
    """What a value keeps in place of ``data``: its index in the list of :func:`setting_aside`,
    or ``data`` itself when nothing is being set aside."""
    parts = _SETTING_ASIDE.get()
    if parts is None:
        return data
    parts.append(data)
    return len(parts) - 1


def kept_bytes(value: Any) -> bytes | Part:
    """The bytes a value kept in place (what :func:`set_aside` gave: bytes, or an index read
    through the parts of :func:`reading_parts`). Raises :class:`DamagedKeptFile` for anything else."""
    if isinstance(value, bytes):
        return value
    parts = _READING.get()
    if type(value) is int and value >= 0 and parts is not None:
        return Part(parts, value)
    raise DamagedKeptFile("a value kept for decoding later is neither its bytes nor the index of a part")


def resolved(data: bytes | Part) -> bytes:
    """The bytes ``data`` stands for (a :class:`Part` reads them)."""
    return data if isinstance(data, bytes) else data.read()


class KeptParts:
    """The parts one kept value set aside, read once through ``fetch()`` when a part is first
    used (``fetch`` returns the list, or None when it is missing or damaged), each handed over
    once (:class:`Part` holds it from then on, so a full write that lets go of an interview's
    excerpts frees them while their relationships wait). Pickled (a worker process building an
    interview), it carries ``fetch``, never the bytes: the worker reads them."""

    def __init__(self, fetch: Callable[[], list[bytes] | None]) -> None:
        self._fetch = fetch
        self._parts: list[bytes] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"_fetch": self._fetch, "_parts": None}

    def take(self, index: int) -> bytes:
        """The ``index``-th part, which this object lets go of (read once more, the parts are
        fetched again). Raises :class:`DamagedKeptFile` when the parts are missing or damaged, or
        hold no such part."""
        if self._parts is None or (index < len(self._parts) and self._parts[index] is None):  # taken: fetch again
            parts = self._fetch()
            if not isinstance(parts, list):
                raise DamagedKeptFile("the parts kept apart from it are missing or damaged")
            self._parts = parts
        if index >= len(self._parts) or not isinstance(self._parts[index], bytes):
            raise DamagedKeptFile(f"it names part {index} of {len(self._parts)} kept apart from it")
        data, self._parts[index] = self._parts[index], None
        return data


class Part:
    """One part kept apart: ``parts.take(index)``, when first asked."""

    __slots__ = ("parts", "index", "_data")

    def __init__(self, parts: KeptParts, index: int) -> None:
        self.parts, self.index = parts, index
        self._data: bytes | None = None

    def __reduce__(self) -> tuple[Any, ...]:  # to a worker process: where to read it, not the bytes
        return (Part, (self.parts, self.index))

    def read(self) -> bytes:
        if self._data is None:
            self._data = self.parts.take(self.index)
        return self._data

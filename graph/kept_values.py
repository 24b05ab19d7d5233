"""Values kept on disk between loads (parsed records, built interviews, the last write's rows),
as data that cannot carry code: MessagePack, with a checksum.

A database folder may come from a colleague, or be writable by others: reading it must never
run code, so nothing here is a pickle. Only the model's own record types are rebuilt, by name,
from their fields (:data:`KEPT_TYPES`); anything else is refused. Each file starts with a magic
line and the SHA-256 of its contents: a changed byte, a truncated file or a foreign format is
noticed, logged and rebuilt from the sources, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import msgpack

from challenge_graph.graph import errors, model
from challenge_graph.graph.codebook import CodeInfo
from challenge_graph.graph.graph_data import GraphData, TagReport

__all__ = ["KEPT_TYPES", "pack", "unpack", "read_kept", "write_kept", "DamagedKeptFile"]

logger = logging.getLogger(__name__)

MAGIC = b"challenge-graph kept v1\n"
_TUPLE, _SET, _RECORD, _ERROR, _GRAPH = 1, 2, 3, 4, 5

# the record types a kept file may hold, by name; nothing else is ever built from one
KEPT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Turn,
        model.Speaker,
        model.Coding,
        model.Interview,
        model.QuoteCoding,
        model.CodingSet,
        model.ProtocolQuestion,
        model.Protocol,
        model.ParticipantSheet,
        CodeInfo,
        TagReport,
    )
}
_ERRORS = {cls.__name__: cls for cls in (errors.LoaderError, errors.UnsupportedFormatError, errors.CodebookError)}
_GRAPH_FIELDS = (
    "nodes",
    "rels",
    "warnings",
    "rejected",
    "unknown_codes",
    "ignored",
    "tags",
    "fragment_keys",
    "built_counts",
)


class DamagedKeptFile(ValueError):
    """A kept file whose checksum, format or contents are not what this program writes."""


def register(cls: type) -> type:
    """Let kept files hold instances of the dataclass ``cls`` (a class decorator for types that
    live above the model, such as a built interview's fragment)."""
    KEPT_TYPES.setdefault(cls.__name__, cls)  # the first import's class: pytest's doctests import modules twice
    return cls


def pack(value: Any) -> bytes:
    """``value`` as MessagePack: numbers, text, bytes, lists, tuples, sets, dicts (any hashable
    keys), the types of :data:`KEPT_TYPES`, the loaders' errors and :class:`GraphData`."""
    return msgpack.packb(value, default=_encode, strict_types=True, use_bin_type=True)


MAX_DEPTH = 32  # nested tuples, sets and records: deeper is not a file this program wrote


def unpack(data: bytes, _depth: int = 0) -> Any:
    """The value :func:`pack` gave ``data`` for.

    Raises
    ------
    DamagedKeptFile
        If ``data`` is not what :func:`pack` writes, or names a type outside :data:`KEPT_TYPES`.
    """
    if _depth > MAX_DEPTH:
        raise DamagedKeptFile(f"values nested more than {MAX_DEPTH} deep")
    try:
        return msgpack.unpackb(
            data,
            ext_hook=lambda code, inner: _decode(code, inner, _depth + 1),
            raw=False,
            strict_map_key=False,
            use_list=True,
        )
    except DamagedKeptFile:
        raise
    except Exception as e:  # noqa: BLE001 - any malformed input is one kind of damage
        raise DamagedKeptFile(f"not a kept value: {e}") from None


def _encode(value: Any) -> msgpack.ExtType:
    kind = type(value)
    if kind is tuple:
        return msgpack.ExtType(_TUPLE, pack(list(value)))
    if kind in (set, frozenset):
        return msgpack.ExtType(_SET, pack(sorted(value, key=repr)))
    if isinstance(value, dict):  # a dict subclass (strict_types sends it here): kept as a plain dict
        return dict(value)
    if kind is GraphData:
        return msgpack.ExtType(_GRAPH, pack({name: _graph_field(value, name) for name in _GRAPH_FIELDS}))
    if kind.__name__ in _ERRORS and _ERRORS[kind.__name__] is kind:
        return msgpack.ExtType(_ERROR, pack([kind.__name__, value.path, value.line, value.reason]))
    # by name: a module imported twice (pytest's doctests import store/x.py as store.x too) has two classes
    if kind.__name__ in KEPT_TYPES and dataclasses.is_dataclass(value):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return msgpack.ExtType(_RECORD, pack([kind.__name__, fields]))
    raise TypeError(f"cannot keep a {kind.__name__}")


def _graph_field(graph: GraphData, name: str) -> Any:
    value = getattr(graph, name)
    if name in ("nodes", "rels", "unknown_codes"):
        return {key: dict(inner) if isinstance(inner, dict) else inner for key, inner in value.items()}
    return value


def _decode(code: int, data: bytes, depth: int) -> Any:
    value = unpack(data, depth)
    if code == _TUPLE:
        return tuple(value)
    if code == _SET:
        return set(value)
    if code == _ERROR:
        name, path, line, reason = value
        if name not in _ERRORS:
            raise DamagedKeptFile(f"unknown error type {name!r}")
        return _ERRORS[name](path, line, reason)
    if code == _RECORD:
        name, fields = value
        cls = KEPT_TYPES.get(name)
        if cls is None:
            raise DamagedKeptFile(f"unknown record type {name!r}")
        return cls(**fields)
    if code == _GRAPH:
        graph = GraphData()
        for name, field_value in value.items():
            if name not in _GRAPH_FIELDS:
                raise DamagedKeptFile(f"unknown graph field {name!r}")
            if name in ("nodes", "rels"):
                getattr(graph, name).update({k: dict(v) for k, v in field_value.items()})
            elif name == "unknown_codes":
                graph.unknown_codes.update({k: set(v) for k, v in field_value.items()})
            else:
                setattr(graph, name, field_value)
        return graph
    raise DamagedKeptFile(f"unknown extension type {code}")


def read_kept(path: Path, expect: type | tuple[type, ...] = object, items: tuple[type, ...] = ()) -> Any | None:
    """The value kept at ``path``, or None when there is none or it is damaged (logged: the
    caller builds it again from the sources). A value that is not an ``expect`` (a list whose
    items are not all ``items``, when given) is damaged too: a file that checks out but holds
    something else is never handed on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        logger.warning("ignoring unreadable %s: %s", path, e)
        return None
    try:
        value = _checked(data)
        if not isinstance(value, expect) or (items and not all(isinstance(v, items) for v in value)):
            raise DamagedKeptFile(f"holds a {type(value).__name__}, not what this file keeps")
        return value
    except DamagedKeptFile as e:
        logger.warning("ignoring damaged %s (built again from the sources): %s", path, e)
        return None


def _checked(data: bytes) -> Any:
    if not data.startswith(MAGIC):
        raise DamagedKeptFile("not a file this program keeps (no header)")
    digest, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
    if hashlib.sha256(payload).digest() != digest:
        raise DamagedKeptFile("its checksum does not match its contents")
    return unpack(payload)


def write_kept(path: Path, value: Any) -> None:
    """Keep ``value`` at ``path``, through a temporary file renamed into place (never half written)."""
    payload = pack(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".new-", delete=False) as f:
        f.write(MAGIC + hashlib.sha256(payload).digest() + payload)
    try:
        os.replace(f.name, path)
    except BaseException:
        Path(f.name).unlink(missing_ok=True)
        raise

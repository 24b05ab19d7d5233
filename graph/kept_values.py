"""Values kept on disk between loads (parsed records, built interviews, the last write's rows),
as data that cannot carry code: MessagePack (:mod:`graph.kept_files` adds the checksum).

A database folder may come from a colleague, or be writable by others: reading it must never
run code, so nothing here is a pickle. Only the model's own record types are rebuilt, by name,
from their fields (:data:`KEPT_TYPES`); anything else is refused.

Large values are kept as columns: a run of records of one type (an interview's turns) is one
list per field, and a graph's tables one list per property, so that packing and unpacking do
one step per column rather than one per record (about 5x faster on a built interview).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import msgpack

from challenge_graph.graph import errors, model
from challenge_graph.graph.codebook import CodeInfo
from challenge_graph.graph.graph_data import HELD_LABELS, HELD_RELS, GraphData, TagReport
from challenge_graph.graph.kept_parts import DamagedKeptFile, Part, kept_bytes, resolved, set_aside

__all__ = [
    "KEPT_TYPES",
    "DamagedKeptFile",
    "LazyRecords",
    "PackedRows",
    "pack",
    "unpack",
]

# the extension types of kept values
_TUPLE, _SET, _RECORD, _ERROR, _GRAPH, _RECORDS, _PACKED_ROWS, _LAZY_RECORDS, _PACKED_RELS = range(1, 10)
_RECORDS_BY_KEY = 10
_LAZY_RUNS = ("Turn",)  # runs of these records come back undecoded until read (LazyRecords)

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
    if kind is LazyRecords:
        return value.kept()
    if kind is tuple:
        if len(value) > 1 and _same_record_type(value):
            columns = pack(_record_columns(value))
            if type(value[0]).__name__ in _LAZY_RUNS:
                return msgpack.ExtType(_LAZY_RECORDS, pack([len(value), set_aside(columns)]))
            return msgpack.ExtType(_RECORDS, columns)
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
        fields = {f.name: _records_by_key(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return msgpack.ExtType(_RECORD, pack([kind.__name__, fields]))
    raise TypeError(f"cannot keep a {kind.__name__}")


def _records_by_key(value: Any) -> Any:
    """A record's field as kept: a dict of records of one kept type (a built interview's codes)
    as its keys and the records' columns, decoded in a step per field rather than per record;
    any other value as it is."""
    if type(value) is not dict or len(value) < 2:
        return value
    records = tuple(value.values())
    if not _same_record_type(records) or type(records[0]).__name__ in _LAZY_RUNS:
        return value
    return msgpack.ExtType(_RECORDS_BY_KEY, pack([list(value), pack(_record_columns(records))]))


def _graph_field(graph: GraphData, name: str) -> Any:
    if name == "nodes":
        graph.read_held()  # kept with the rest
    value = getattr(graph, name)
    if name == "nodes":
        return {
            label: _packed_rows(rows) if label in HELD_LABELS else _table(rows, _node_keys, ("id",))
            for label, rows in value.items()
        }
    if name == "rels":
        return {
            rel: _packed_rows(rows, _rel_keys) if rel in HELD_RELS else _table(rows, _rel_keys, _REL_ENDS)
            for rel, rows in value.items()
        }
    if name == "unknown_codes":
        return {key: dict(inner) if isinstance(inner, dict) else inner for key, inner in value.items()}
    return value


def _same_record_type(values: tuple[Any, ...]) -> bool:
    kind = type(values[0])
    return (
        KEPT_TYPES.get(kind.__name__) is kind
        and dataclasses.is_dataclass(kind)
        and all(type(v) is kind for v in values)
    )


def _record_columns(records: tuple[Any, ...]) -> list[Any]:
    """``[type name, field names, a column per field]``: records of one kept type, by field."""
    names = [f.name for f in dataclasses.fields(records[0])]
    return [type(records[0]).__name__, names, *map(_column, _transposed(records, names, getattr))]


_PLAIN, _TUPLES, _DICTIONARY = 0, 1, 2  # how a column is kept (False and True: the first two)
_DICTIONARY_MIN = 8  # shorter columns are kept as they are


def _transposed(items: Sequence[Any], names: list[str], get: Any) -> list[list[Any]]:
    """``[[get(item, name) for item in items] for name in names]``, with loops in C."""
    return [list(map(get, items, itertools.repeat(name))) for name in names]


def _column(column: list[Any]) -> list[Any]:
    """A column as it is kept, ``[how, values]``. A column of tuples is kept as lists (one step,
    not one per tuple) and flagged, so that it comes back as tuples. A column of strings that
    repeat (an excerpt's interview, a relationship's labels) is kept as ``[_DICTIONARY, distinct,
    indexes]``: smaller, and it comes back with one string object per distinct value, as the
    builder made it, not one per row."""
    kinds = set(map(type, column))
    if kinds == {tuple}:
        return [_TUPLES, list(map(list, column))]
    if kinds == {str} and len(column) >= _DICTIONARY_MIN:
        distinct = dict.fromkeys(column)
        if len(distinct) * 2 <= len(column):
            index = {v: i for i, v in enumerate(distinct)}
            return [_DICTIONARY, list(distinct), list(map(index.__getitem__, column))]
    return [_PLAIN, column]


def _column_values(column: list[Any]) -> list[Any]:
    """The values of a column :func:`_column` kept."""
    if not isinstance(column, list) or not column:
        raise DamagedKeptFile("a column is not a list")
    how = column[0]
    if how == _DICTIONARY and len(column) == 3:
        distinct, indexes = column[1], column[2]
        try:
            return list(map(distinct.__getitem__, indexes))
        except (IndexError, TypeError) as e:
            raise DamagedKeptFile("a column's indexes do not fit its values") from e
    if len(column) != 2:
        raise DamagedKeptFile("a column is neither plain, tuples nor a dictionary")
    return [tuple(v) for v in column[1]] if how == _TUPLES else column[1]


_REL_ENDS = ("src", "dst", "srcLabel", "dstLabel")  # a relationship row's first fields (GraphData.add_rel)


def _node_keys(columns: dict[str, list[Any]]) -> list[Any]:
    """The keys of a node table's rows, from its columns (:meth:`GraphData.add_node`)."""
    return columns["id"]


def _rel_keys(columns: dict[str, list[Any]]) -> list[Any]:
    """The keys :meth:`GraphData.add_rel` files a relationship table's rows under, from its columns."""
    props = list(columns.values())[4:]
    ends = (zip(columns["srcLabel"], columns["src"]), zip(columns["dstLabel"], columns["dst"]))
    return list(zip(*ends, *props))


def _table(rows: dict[Any, dict[str, Any]], keys_of: Any, key_fields: tuple[str, ...]) -> Any:
    """A table of rows as ``[property names, a column per property]`` when every row has the
    same properties, led by ``key_fields``, and the key its row implies (``keys_of``, from the
    columns, as the builders file them); any other table as it is (correct, only slower)."""
    if not rows:
        return {}
    values = list(rows.values())
    names = list(values[0])
    if names[: len(key_fields)] == list(key_fields) and all(map(names.__eq__, map(list, values))):
        columns = _transposed(values, names, dict.__getitem__)
        if keys_of(dict(zip(names, columns))) == list(rows):
            return [names, *map(_column, columns)]
    return {key: dict(row) for key, row in rows.items()}


class PackedRows:
    """A node or relationship table as kept, decoded only when read (:meth:`rows`): how a kept
    build holds an interview's excerpts and their relationships (:data:`graph.graph_data.HELD_LABELS`,
    :data:`graph.graph_data.HELD_RELS`, :meth:`GraphData.hold`), so that a load that writes only
    some interviews never decodes the others'."""

    __slots__ = ("count", "_data", "_depth", "_keys_of")

    def __init__(self, count: int, data: bytes | Part | None, depth: int, keys_of: Any = None) -> None:
        self.count = count  # rows, known without decoding them
        self._data = data
        self._depth = depth
        self._keys_of = keys_of or _node_keys  # a relationship table's: _rel_keys

    def rows(self) -> dict[Any, dict[str, Any]]:
        """The rows by key. Raises :class:`DamagedKeptFile` when they are not what :func:`pack` keeps
        (the checksum of the value around them held, so only a forged file gets here)."""
        rows = _untable(unpack(self._packed(), self._depth), self._keys_of)
        if len(rows) != self.count:
            raise DamagedKeptFile("a packed table holds another number of rows than it says")
        return rows

    def release(self) -> None:
        """Let go of the rows' bytes once a full write has read them (:meth:`GraphData.column_batches
        <graph.graph_data.GraphData.column_batches>`): their count stays; reading them raises ValueError."""
        self._data = None

    def _packed(self) -> bytes:
        if self._data is None:
            raise ValueError("these rows were released once they were written (see release())")
        return resolved(self._data)

    def columns(self) -> dict[str, list[Any]]:
        """The rows as one list per property (a property some rows lack: None there), without
        making a dict of each row; damage is raised as by :meth:`rows`."""
        table = unpack(self._packed(), self._depth)
        if isinstance(table, dict):  # rows of several shapes, kept as they were
            rows = list(_untable(table, self._keys_of).values())
            names = list(dict.fromkeys(name for row in rows for name in row))
            columns = dict(zip(names, _transposed(rows, names, dict.get)))
        else:
            names, *kept = table
            if len(kept) != len(names):
                raise DamagedKeptFile("a table's columns do not match its names")
            columns = dict(zip(names, map(_column_values, kept)))
        if any(len(column) != self.count for column in columns.values()):
            raise DamagedKeptFile("a packed table holds another number of rows than it says")
        return columns


class LazyRecords(Sequence):
    """A run of kept records (an interview's turns), decoded when first read: a load that needs
    only how many there are, or hands them to a worker process (they pickle as their bytes),
    never decodes them. It indexes, slices, iterates, compares, hashes and pickles as the tuple it
    stands for, but is not one (``isinstance(x, tuple)`` is False, ``+`` is not defined): code
    that needs a tuple calls ``tuple()`` on it."""

    __slots__ = ("_count", "_data", "_depth", "_records")

    def __init__(self, count: int, data: bytes | Part | None, depth: int = 0) -> None:
        self._count, self._data, self._depth = count, data, depth
        self._records: tuple[Any, ...] | None = None

    def records(self) -> tuple[Any, ...]:
        """The records, decoded once. Raises :class:`DamagedKeptFile` as :meth:`PackedRows.rows`."""
        if self._records is None:
            if self._data is None:
                raise ValueError("these records were released once their interview was built (see release())")
            records = _unrecord(unpack(resolved(self._data), self._depth))
            if len(records) != self._count:
                raise DamagedKeptFile("a run of records holds another number of records than it says")
            self._records, self._data = records, b""
        return self._records

    def release(self) -> None:
        """Let go of the records and their bytes: a load calls it once the interview they belong
        to is built, so that it never holds every transcript at once. Reading them again raises
        ValueError; the count stays."""
        self._data, self._records = None, None

    def kept(self) -> msgpack.ExtType:
        """How it is kept again: its bytes as they came, or the records as any run."""
        data, records = self._data, self._records  # in this order: records() sets _records first
        if records is not None:
            return _encode(records)
        if data is None:
            raise ValueError("these records were released once their interview was built (see release())")
        return msgpack.ExtType(_LAZY_RECORDS, pack([self._count, set_aside(resolved(data))]))

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.records()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRecords):
            other = other.records()
        return self.records() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.records())

    def __repr__(self) -> str:
        return repr(self.records())

    def __reduce__(self) -> tuple[Any, ...]:  # to a worker process: still undecoded, or a tuple
        data, records = self._data, self._records  # in this order, as in kept()
        if records is None:
            return (LazyRecords, (self._count, data, self._depth))
        return (tuple, (records,))


def _packed_rows(rows: dict[Any, dict[str, Any]], keys_of: Any = None) -> msgpack.ExtType:
    """A node table (a relationship table: ``keys_of`` :func:`_rel_keys`) for :class:`PackedRows`."""
    code, first = (_PACKED_RELS, _REL_ENDS) if keys_of is _rel_keys else (_PACKED_ROWS, ("id",))
    return msgpack.ExtType(code, pack([len(rows), set_aside(pack(_table(rows, keys_of or _node_keys, first)))]))


def _count_and_bytes(value: Any, what: str, least: int) -> tuple[int, bytes | Part]:
    """``[count, bytes]`` of a value kept for decoding later, its count at least ``least`` (the
    bytes may be kept apart: :mod:`graph.kept_parts`)."""
    if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is int and value[0] >= least):
        raise DamagedKeptFile(f"{what} is not a count and its bytes")
    try:
        return value[0], kept_bytes(value[1])
    except DamagedKeptFile:
        raise DamagedKeptFile(f"{what} is not a count and its bytes") from None


def _untable(table: Any, key_of: Any) -> dict[Any, dict[str, Any]]:
    if isinstance(table, dict):
        return {k: dict(v) for k, v in table.items()}
    names, *columns = table
    if len(columns) != len(names):
        raise DamagedKeptFile("a table's columns do not match its names")
    values = [_column_values(column) for column in columns]
    rows = list(map(dict, map(zip, itertools.repeat(names), zip(*values))))  # in C: no Python step per row
    return dict(zip(key_of(dict(zip(names, values))), rows))


def _unrecord(value: Any) -> tuple[Any, ...]:
    name, names, *columns = value
    cls = KEPT_TYPES.get(name)
    if cls is None or not dataclasses.is_dataclass(cls):
        raise DamagedKeptFile(f"unknown record type {name!r}")
    if len(columns) != len(names):
        raise DamagedKeptFile("a record run's columns do not match its fields")
    values = [_column_values(column) for column in columns]
    if names == [f.name for f in dataclasses.fields(cls) if f.init]:
        return tuple(cls(*row) for row in zip(*values))
    return tuple(cls(**dict(zip(names, row))) for row in zip(*values))


def _decode(code: int, data: bytes, depth: int) -> Any:
    value = unpack(data, depth)
    if code == _TUPLE:
        return tuple(value)
    if code == _RECORDS:
        return _unrecord(value)
    if code == _RECORDS_BY_KEY:
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], list)):
            raise DamagedKeptFile("records by key are not their keys and their records")
        keys, records = value[0], _unrecord(unpack(value[1], depth))
        if len(keys) != len(records):
            raise DamagedKeptFile("records by key hold another number of records than keys")
        return dict(zip(keys, records))
    if code == _LAZY_RECORDS:
        return LazyRecords(*_count_and_bytes(value, "a run of records", least=2), depth)
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
    if code in (_PACKED_ROWS, _PACKED_RELS):
        keys_of = _rel_keys if code == _PACKED_RELS else _node_keys
        return PackedRows(*_count_and_bytes(value, "a packed table", least=0), depth, keys_of)
    if code == _GRAPH:
        graph = GraphData()
        for name, field_value in value.items():
            if name not in _GRAPH_FIELDS:
                raise DamagedKeptFile(f"unknown graph field {name!r}")
            if name == "nodes":
                for label, table in field_value.items():
                    if isinstance(table, PackedRows):
                        graph.hold(label, "", table)  # the build holds it under its interview
                    else:
                        graph.nodes[label] = _untable(table, _node_keys)
            elif name == "rels":
                for rel, table in field_value.items():
                    if isinstance(table, PackedRows):
                        graph.hold(rel, "", table)  # the build holds them under their interview
                    else:
                        graph.rels[rel] = _untable(table, _rel_keys)
            elif name == "unknown_codes":
                graph.unknown_codes.update({k: set(v) for k, v in field_value.items()})
            else:
                setattr(graph, name, field_value)
        return graph
    raise DamagedKeptFile(f"unknown extension type {code}")

"""The rows a build produces: nodes by label and relationships by type, with what the build noticed."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import DERIVED_RELATIONSHIPS, slugify

__all__ = [
    "GraphData",
    "HELD_LABELS",
    "HELD_RELS",
    "TagReport",
    "add_missing",
    "code_id",
    "derived_rows",
    "excerpt_id",
    "excerpt_place",
]

# labels whose rows a build holds apart per interview until a step reads them (see GraphData.hold):
# an interview's excerpts, most of the graph's bytes, stay as its kept build had them
HELD_LABELS = ("Excerpt",)
# relationship types held the same way (the relationships of an interview's excerpts), with the end
# that is the excerpt: a load that adds a file decodes only the new interview's
HELD_RELS = {"SAID": "dst", "CODED_AS": "src", "MENTIONS": "src"}


@dataclass
class GraphData:
    """Rows to write: nodes by label, relationships by type (``src``/``dst`` ids), plus what
    the build noticed (warnings, rejected codings, unknown codes and where they occur)."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    rels: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    warnings: list[str] = field(default_factory=list)
    rejected: list[LoaderError] = field(default_factory=list)
    unknown_codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ignored: dict[str, int] = field(default_factory=dict)  # codes of kind ignore -> codings left out
    tags: dict[str, TagReport] = field(default_factory=dict)  # source name -> its code tags' fate
    fragment_keys: dict[str, str] = field(default_factory=dict)  # interview id -> its fragment's key ("" if none)
    built_counts: dict[str, int] = field(default_factory=dict)  # rows per table as build_graph returned them
    held: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))  # see hold()
    # the interviews' figures put together, for the corpus's (graph.figures.FigureTotals.scoped); None: count the rows
    figures: Any = None

    def add_node(self, label: str, row: dict[str, Any]) -> None:
        self.nodes[label].setdefault(row["id"], row)

    def hold(self, label: str, owner: str, rows: Any) -> None:
        """Keep ``rows`` of ``label`` (or of a relationship type of :data:`HELD_RELS`) apart under
        ``owner`` (the interview they belong to) until they are read: a dict of rows by key, or
        rows still packed (anything with a ``count``, and ``rows()`` and ``columns()`` that decode
        them: :class:`graph.kept_values.PackedRows`). :meth:`table` and :meth:`node_rows` (for a
        relationship type, :meth:`rel_rows`) add them to :attr:`nodes` (:attr:`rels`) when first
        asked, in the order they were held; :meth:`owned_rows` and :meth:`column_batches` read
        them without.

        >>> graph = GraphData()
        >>> graph.hold("Excerpt", "i-1", {"i-1:0": {"id": "i-1:0", "interview": "i-1"}})
        >>> graph.counts(), dict(graph.nodes)
        ({'Excerpt': 1, 'FROM': 1}, {})
        >>> graph.node_rows("Excerpt"), list(graph.held)
        ([{'id': 'i-1:0', 'interview': 'i-1'}], [])
        """
        if owner in self.held[label]:
            raise ValueError(f"{label} rows of {owner!r} are already held")  # an interview is built once
        self.held[label][owner] = rows

    def table(self, label: str) -> dict[str, dict[str, Any]]:
        """The rows of ``label`` by id, the held ones included (decoded now: see :meth:`hold`)."""
        for rows in self.held.pop(label, {}).values():
            add_missing(self.nodes[label], _decoded(rows))
        return self.nodes.get(label, {})

    def rel_table(self, rel: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The rows of relationship type ``rel`` by key, the held ones included (decoded now)."""
        for rows in self.held.pop(rel, {}).values():
            add_missing(self.rels[rel], _decoded(rows))
        return self.rels.get(rel, {})

    def owned_rows(self, label: str, owners: Collection[str]) -> list[dict[str, Any]]:
        """The rows of ``label`` (or of a relationship type of :data:`HELD_RELS`) that belong to
        ``owners`` (interview ids): those held under them, decoded, and those of :attr:`nodes`
        (:attr:`rels`) whose interview is one of them; the rows held under other owners stay as
        they are."""
        if label in HELD_RELS:
            end = HELD_RELS[label]
            rows = [r for r in self.rels.get(label, {}).values() if excerpt_place(r[end])[0] in owners]
        else:
            rows = [row for row in self.nodes.get(label, {}).values() if row["interview"] in owners]
        for owner, held in self.held.get(label, {}).items():
            if owner in owners:
                rows.extend(_decoded(held).values())
        return rows

    def column_batches(
        self, label: str, names: Sequence[str], size: int = 16384, release: bool = False
    ) -> Iterator[dict[str, list[Any]]]:
        """The rows of ``label`` as a list per property of ``names`` (None where a row has none),
        in the order :meth:`table` gives them, a batch of about ``size`` rows at a time (whole
        held parts: a batch may hold more, the last fewer). Held rows are read column by column,
        never made into a dict each: what a bulk write reads, a batch at a time, so that it never
        holds every value as a Python object at once. With ``release``, each packed part
        lets go of its bytes once read (:meth:`PackedRows.release
        <graph.kept_values.PackedRows.release>`): for a write that reads them last, so that the
        rows are not held twice.

        >>> graph = GraphData()
        >>> graph.add_node("Excerpt", {"id": "a:0", "text": "hi"})
        >>> graph.hold("Excerpt", "b", {"b:0": {"id": "b:0", "position": 0}})
        >>> list(graph.column_batches("Excerpt", ["id", "text"]))
        [{'id': ['a:0', 'b:0'], 'text': ['hi', None]}]
        >>> [batch["id"] for batch in graph.column_batches("Excerpt", ["id"], size=1)]
        [['a:0'], ['b:0']]
        """
        out: dict[str, list[Any]] = {name: [] for name in names}
        count = 0  # rows in out
        for rows in [self.nodes.get(label, {}), *self.held.get(label, {}).values()]:
            if isinstance(rows, dict):
                values = list(rows.values())
                for name, column in out.items():
                    column.extend(map(dict.get, values, itertools.repeat(name)))
                count += len(values)
            else:
                packed = rows.columns()
                if release and hasattr(rows, "release"):
                    rows.release()
                for name, column in out.items():
                    column.extend(packed[name] if name in packed else itertools.repeat(None, rows.count))
                count += rows.count
            if count >= size:
                yield out
                out, count = {name: [] for name in names}, 0
        if count:
            yield out

    def rel_columns(self, rel: str, names: Sequence[str]) -> dict[tuple[str, str], dict[str, list[Any]]]:
        """The rows of relationship type ``rel`` as a list per property of ``names`` (None where a
        row has none), for each (source label, target label) they join; held rows are read column
        by column, never made into a dict each (what a bulk write reads).

        >>> graph = GraphData()
        >>> graph.add_rel("CODED_AS", ("Excerpt", "i:0"), ("Challenge", "a"), coder="x")
        >>> graph.add_rel("CODED_AS", ("Excerpt", "i:0"), ("Fix", "b"), coder="y")
        >>> graph.rel_columns("CODED_AS", ["src", "dst", "coder"])[("Excerpt", "Fix")]
        {'src': ['i:0'], 'dst': ['b'], 'coder': ['y']}
        """
        groups: dict[tuple[str, str], dict[str, list[Any]]] = {}
        parts = [self.rels.get(rel, {}), *self.held.get(rel, {}).values()]
        for part in parts:
            if isinstance(part, dict):
                rows = list(part.values())
                columns = {name: list(map(dict.get, rows, itertools.repeat(name))) for name in names}
                ends = [(row["srcLabel"], row["dstLabel"]) for row in rows]
            else:
                packed = part.columns()
                columns = {name: packed.get(name) or [None] * part.count for name in names}
                ends = list(zip(packed["srcLabel"], packed["dstLabel"]))
            pairs = dict.fromkeys(ends)
            for pair in pairs:
                group = groups.setdefault(pair, {name: [] for name in names})
                if len(pairs) == 1:
                    for name, column in columns.items():
                        group[name].extend(column)
                else:
                    at = [i for i, end in enumerate(ends) if end == pair]
                    for name, column in columns.items():
                        group[name].extend(map(column.__getitem__, at))
        return groups

    def read_held(self) -> None:
        """Add every held row to :attr:`nodes` or :attr:`rels` (before a step that edits rows in place)."""
        for name in list(self.held):
            if name in HELD_RELS:
                self.rel_table(name)
            else:
                self.table(name)

    def node_count(self, label: str) -> int:
        """How many rows ``label`` has, the held ones included (without decoding them)."""
        return len(self.nodes.get(label, {})) + self._held_count(label)

    def rel_count(self, rel: str) -> int:
        """How many rows relationship type ``rel`` has, the held ones included (without decoding
        them; a derived type counts the rows of its source label)."""
        if rel in DERIVED_RELATIONSHIPS:
            return self.node_count(DERIVED_RELATIONSHIPS[rel][0])
        return len(self.rels.get(rel, {})) + self._held_count(rel)

    def _held_count(self, name: str) -> int:
        return sum(len(r) if isinstance(r, dict) else r.count for r in self.held.get(name, {}).values())

    def add_rel(self, rel: str, src: tuple[str, str], dst: tuple[str, str], **props: Any) -> None:
        if rel in DERIVED_RELATIONSHIPS:
            raise ValueError(f"{rel} relationships follow from their source nodes' rows, never added")
        if rel in self.held:  # a row added to held ones: the table is read first (a row is added once)
            self.rel_table(rel)
        key = (src, dst, *props.values())
        self.rels[rel].setdefault(key, {"src": src[1], "dst": dst[1], "srcLabel": src[0], "dstLabel": dst[0], **props})

    def node_rows(self, label: str) -> list[dict[str, Any]]:
        return list(self.table(label).values())

    def rel_rows(self, rel: str) -> list[dict[str, Any]]:
        """The rows of relationship type ``rel``; those of a derived type (:data:`DERIVED_RELATIONSHIPS`)
        made from their source nodes' rows, one per node.

        >>> graph = GraphData()
        >>> graph.add_node("Excerpt", {"id": "i-1:0", "interview": "i-1"})
        >>> graph.rel_rows("FROM"), graph.counts()["FROM"]
        ([{'src': 'i-1:0', 'dst': 'i-1', 'srcLabel': 'Excerpt', 'dstLabel': 'Interview'}], 1)
        """
        if rel in DERIVED_RELATIONSHIPS:
            return derived_rows(rel, self.node_rows(DERIVED_RELATIONSHIPS[rel][0]))
        return list(self.rel_table(rel).values())

    def counts(self) -> dict[str, int]:
        """Number of rows per label and relationship type (held rows and derived types included)."""
        held = [name for name in self.held if name not in HELD_RELS]
        counts = {label: self.node_count(label) for label in dict.fromkeys([*self.nodes, *held])}
        rels = [*self.rels, *(name for name in self.held if name in HELD_RELS), *DERIVED_RELATIONSHIPS]
        counts |= {rel: self.rel_count(rel) for rel in dict.fromkeys(rels)}
        return {k: n for k, n in counts.items() if n}


def _decoded(held: Any) -> dict[str, dict[str, Any]]:
    """A held part's rows by id (see :meth:`GraphData.hold`)."""
    return held if isinstance(held, dict) else held.rows()


def derived_rows(rel: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of the derived relationship type ``rel`` that start at the nodes ``rows`` (of its source label)."""
    src, prop, dst = DERIVED_RELATIONSHIPS[rel]
    return [{"src": row["id"], "dst": row[prop], "srcLabel": src, "dstLabel": dst} for row in rows]


@dataclass
class TagReport:
    """What became of one file's code tags: how many it held, and each one not placed, with
    the reason (``(code, line, reason)``)."""

    read: int = 0
    unplaced: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return self.read - len(self.unplaced)


def add_missing(table: dict[Any, dict[str, Any]], rows: dict[Any, dict[str, Any]]) -> None:
    """Add to ``table`` each of ``rows`` whose key it lacks: a row already there stays, as with
    :meth:`GraphData.add_node` (the rows are taken over, not copied).

    >>> table = {"a": {"n": 1}}
    >>> add_missing(table, {"a": {"n": 2}, "b": {"n": 3}}); table
    {'a': {'n': 1}, 'b': {'n': 3}}
    """
    if table.keys().isdisjoint(rows):  # rows of one interview or one study: all new, added in C
        table.update(rows)
    else:
        for key, row in rows.items():
            table.setdefault(key, row)


def excerpt_id(interview_id: str, position: int) -> str:
    """The id of a turn's excerpt: ``interview-35:12``."""
    return f"{interview_id}:{position}"


def excerpt_place(excerpt: str) -> tuple[str, int]:
    """The interview and position an excerpt's id names (:func:`excerpt_id`, scoped or not): what
    the excerpt's row says, read without the row.

    >>> excerpt_place("interview-35:12"), excerpt_place("cote-2024/interview-5~1a2b3c:0")
    (('interview-35', 12), ('cote-2024/interview-5~1a2b3c', 0))
    """
    interview, _, position = excerpt.rpartition(":")
    return interview, int(position)


def code_id(code: str) -> str:
    """The id of a code's node: the code in lower case, words joined by hyphens."""
    return slugify(code)

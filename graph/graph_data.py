"""The rows a build produces: nodes by label and relationships by type, with what the build noticed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import slugify

__all__ = ["GraphData", "TagReport", "add_missing", "excerpt_id", "code_id"]


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

    def add_node(self, label: str, row: dict[str, Any]) -> None:
        self.nodes[label].setdefault(row["id"], row)

    def add_rel(self, rel: str, src: tuple[str, str], dst: tuple[str, str], **props: Any) -> None:
        key = (src, dst, *props.values())
        self.rels[rel].setdefault(key, {"src": src[1], "dst": dst[1], "srcLabel": src[0], "dstLabel": dst[0], **props})

    def node_rows(self, label: str) -> list[dict[str, Any]]:
        return list(self.nodes.get(label, {}).values())

    def rel_rows(self, rel: str) -> list[dict[str, Any]]:
        return list(self.rels.get(rel, {}).values())

    def counts(self) -> dict[str, int]:
        """Number of rows per label and relationship type."""
        return {k: len(v) for k, v in {**self.nodes, **self.rels}.items() if v}


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


def code_id(code: str) -> str:
    """The id of a code's node: the code in lower case, words joined by hyphens."""
    return slugify(code)

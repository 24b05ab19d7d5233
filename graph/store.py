"""The store interface that the CLI, queries and dashboard use; embedded and Neo4j implement it."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from graph.build import GraphData
from graph.cypher import check_read_only
from graph.model import SourceFile

__all__ = ["GraphStore", "QueryResult", "Progress"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


class GraphStore(ABC):
    """A place the graph lives. ``run`` is read-only on every store."""

    dialect: str = ""

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> QueryResult:
        """Run read-only Cypher with parameters (never string-built values).

        Raises
        ------
        ReadOnlyError
            If the query would write.
        QueryError
            If the engine rejects the query.
        """
        check_read_only(cypher)
        return self._execute(cypher, dict(params or {}))

    @abstractmethod
    def _execute(self, cypher: str, params: dict[str, Any]) -> QueryResult:
        """Run one read query on the engine."""

    @abstractmethod
    def replace_graph(
        self,
        graph: GraphData,
        sources: Sequence[SourceFile],
        codebook: SourceFile,
        progress: Progress | None = None,
    ) -> None:
        """Replace the whole graph atomically: readers see the old graph or the new one."""

    @abstractmethod
    def sources(self) -> list[SourceFile]:
        """The source files (and their contents) the current graph was built from."""

    @abstractmethod
    def codebook(self) -> SourceFile | None:
        """The codebook the current graph was built with, if any."""

    @abstractmethod
    def describe(self) -> str:
        """Where the store lives, for people: the embedded path or the Neo4j URI."""

    @abstractmethod
    def version(self) -> str:
        """Changes whenever a load changes the graph (caches key on it)."""

    def writing(self) -> AbstractContextManager[None]:
        """Held by a load from reading the loaded sources to writing the new graph; stores
        that serialise writers themselves (Neo4j) need nothing here."""
        return nullcontext()

    def is_empty(self) -> bool:
        """True when nothing has been loaded yet."""
        return not self.sources()

    def close(self) -> None:
        """Release connections."""

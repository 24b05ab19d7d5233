"""The store interface that the CLI, queries and dashboard use; embedded and Neo4j implement it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import SourceFile
from challenge_graph.store.cypher import check_read_only

__all__ = ["GraphStore", "QueryResult", "Progress", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "cap_rows"]

Progress = Callable[[str], None]
DEFAULT_TIMEOUT = 30.0  # seconds an analyst's query may run
MAX_TIMEOUT = 24 * 3600.0  # at most a day: a finite clock


@dataclass(frozen=True)
class QueryResult:
    """Rows of a query with their column names."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False  # more rows than the cap asked for

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

    def run_table(self, cypher: str, params: dict[str, Any], columns: Sequence[str]) -> QueryResult:
        """:meth:`run` for a query known to return ``columns`` (a named query): a store may fetch
        its rows in one piece (Neo4j does)."""
        return self.run(cypher, params)

    def run_analyst(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run an analyst's Cypher (the console): allow-listed read clauses only, on a fresh
        read-only connection that nothing else shares, stopped after ``timeout`` seconds, and
        at most ``max_rows`` rows (``truncated`` says when there were more).

        Raises
        ------
        ReadOnlyError
            If the query uses a clause outside the allow-list (before it reaches the engine).
        QueryTimeoutError
            If the query runs longer than ``timeout``.
        QueryError
            If the engine rejects the query.
        """
        check_read_only(cypher)
        return self._execute_analyst(cypher, dict(params or {}), timeout, max_rows)

    def _execute_analyst(
        self, cypher: str, params: dict[str, Any], timeout: float, max_rows: int | None
    ) -> QueryResult:
        """Stores override this with an isolated connection and the engine's timeout; the
        fallback runs the store's read path and caps the rows."""
        return cap_rows(self._execute(cypher, params), max_rows)

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
        """Replace the whole graph atomically: readers see the old graph or the new one. The
        graph is the load's to give away: a store may let go of its held rows as it writes them
        (the embedded store's full write does, for the excerpts' text)."""

    def stage_sources(self, sources: Sequence[SourceFile]) -> None:  # noqa: B027 - optional
        """Start keeping copies of ``sources`` while the load still parses and builds (a store
        that keeps them in files writes them on a thread); :meth:`replace_graph` waits for it.
        Called with the write lock held; nothing a reader sees changes."""

    def stage_interviews(self, built: dict[str, tuple[str, GraphData]]) -> None:  # noqa: B027 - optional
        """Start writing the interviews a load built while the build goes on: interview id ->
        (fragment key, its rows as written, :func:`graph.build.written_rows`). Only what
        :meth:`replace_graph` would write, and nothing a reader sees; a store may ignore it.
        Called with the write lock held, after :meth:`stage_sources`."""

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

    def reopen_spec(self) -> dict[str, Any]:
        """What another process needs to open this store again (:mod:`store.sandbox`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot be opened in another process")

    def limit_analyst_memory(self, memory: int) -> int:
        """Size the engine's memory for analysts' queries to ``memory`` bytes; returns the
        address space the engine reserves beyond it (0: none)."""
        return 0

    def writing(self) -> AbstractContextManager[None]:
        """Held by a load from reading the loaded sources to writing the new graph; stores
        that serialise writers themselves (Neo4j) need nothing here."""
        return nullcontext()

    def kept_file(self) -> Path | None:
        """Where loads keep what they parsed and built, to redo only what a change needs
        (:mod:`pipeline.kept_store`; None: parse and build everything every time)."""
        return None

    def is_empty(self) -> bool:
        """True when nothing has been loaded yet."""
        return not self.sources()

    def close(self) -> None:  # noqa: B027 - optional: not every store holds connections
        """Release connections."""


def add_codebook_source(graph: GraphData, codebook: SourceFile) -> None:
    """List the codebook among the graph's sources, as every store keeps it with the graph."""
    graph.add_node(
        "Source",
        {
            "id": f"codebook:{codebook.name}",
            "name": codebook.name,
            "kind": "codebook",
            "format": "codebook-yaml",
            "sha256": codebook.sha256,
        },
    )


def cap_rows(result: QueryResult, max_rows: int | None) -> QueryResult:
    """``result`` with at most ``max_rows`` rows, marked truncated when rows were cut."""
    if max_rows is None or len(result.rows) <= max_rows:
        return result
    return QueryResult(result.columns, result.rows[:max_rows], truncated=True)


def first_line(message: str) -> str:
    """The first line of an engine's error ``message`` (its detail follows on later lines)."""
    return message.strip().splitlines()[0] if message.strip() else message

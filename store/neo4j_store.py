"""The Neo4j store: the same graph on a Neo4j 5 server, through the official driver.

Loads are batched ``UNWIND $rows … MERGE`` statements, one managed write transaction per batch,
so they are idempotent and an interrupted load leaves whole batches behind. Every node and
relationship written by a load carries that load's ``loadGeneration``; once all batches are in,
what an earlier load wrote and this one did not is swept away, batch by batch. Readers see the
old graph, then the old and new together, then the new one. The ``Source`` nodes come last,
after the sweep of the rest: :meth:`version` reads their stamps, so it moves on only once the
graph is whole. Into a database that holds none of the graph's nodes (a first load), rows are
created rather than merged and nothing is swept (writing 1,000 interviews: 17.0 s against
18.4 s, one pair of quiet runs); readers see the graph grow, and a load interrupted there is
completed by the next one, which merges and sweeps as usual. Constraints make ``id`` unique for
every label. Reads run in read transactions; writes are also refused before they reach the server.

One load at a time: a load claims the lock node ``(:ChallengeGraphLock {id: 'load'})`` in a write
transaction, naming its holder (host, PID) and a lease it renews while it runs
(:mod:`graph.neo4j_lock`); a second load gets "store is busy". The lease frees the lock of a load
that died on another machine; on the same machine a dead holder's PID frees it at once.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable

from challenge_graph.graph.errors import QueryError, QueryTimeoutError, StoreError
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import NODES, RELATIONSHIPS, SourceFile
from challenge_graph.graph.progress import Step
from challenge_graph.store.base import GraphStore, Progress, QueryResult, add_codebook_source
from challenge_graph.store.cypher import check_read_only
from challenge_graph.store.neo4j_lock import LEASE_SECONDS, LoadLock

__all__ = ["Neo4jStore", "schema_statements", "INDEXES", "DEFAULT_BATCH_SIZE"]

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10_000  # fastest measured at 1,000 interviews (benchmarks/RESULTS.md)
GENERATION = "loadGeneration"


KEEPS_EXTRA_PROPERTIES = ("Excerpt",)  # labels whose nodes carry properties a load does not write

# indexes beside the constraints: name -> (label, properties); the query that needs each names it
INDEXES = {
    # coded-units reads a page of codings in the excerpts' (interview, position) order
    "challenge_graph_excerpt_order": ("Excerpt", ("interview", "position")),
}


def schema_statements() -> list[str]:
    """One uniqueness constraint on ``id`` per label of the graph model, and the :data:`INDEXES`."""
    return [
        *(
            f"CREATE CONSTRAINT challenge_graph_{label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            for label in NODES
        ),
        *(
            f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON ({', '.join(f'n.{p}' for p in props)})"
            for name, (label, props) in INDEXES.items()
        ),
    ]


class Neo4jStore(GraphStore):
    """Graph store on a Neo4j server. Build it with :meth:`connect` or pass a ready driver."""

    dialect = "neo4j"

    def __init__(
        self,
        driver: neo4j.Driver,
        uri: str = "",
        database: str = "neo4j",
        batch_size: int = DEFAULT_BATCH_SIZE,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.driver, self.uri, self.database, self.batch_size = driver, uri, database, batch_size
        self.lease_seconds = lease_seconds
        self._lock: LoadLock | None = None
        self._writer: int | None = None  # the thread holding the load lock

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        batch_size: int = DEFAULT_BATCH_SIZE,
        lease_seconds: float = LEASE_SECONDS,
    ) -> Neo4jStore:
        """Connect and check the server answers, naming the cause of any failure."""
        try:
            # the server's hints (unknown labels on an empty graph…) are not the user's business
            driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF")
        except (ValueError, ConfigurationError, Neo4jError) as e:
            raise StoreError(f"cannot connect to Neo4j at {uri!r}: {e}") from e
        store = cls(driver, uri, database, batch_size, lease_seconds)
        store._login = (user, password)  # for reopen_spec: a sandboxed query opens its own driver
        try:
            with store._errors():
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", database_=database, routing_=neo4j.RoutingControl.READ)
        except StoreError:
            driver.close()
            raise
        return store

    def describe(self) -> str:
        return f"Neo4j at {self.uri} (database {self.database})"

    def reopen_spec(self) -> dict[str, Any]:
        user, password = getattr(self, "_login", None) or (
            os.environ.get("NEO4J_USERNAME", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", ""),
        )
        return {"kind": "neo4j", "uri": self.uri, "user": user, "password": password, "database": self.database}

    def close(self) -> None:
        self.driver.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors as one clear message each."""
        try:
            yield
        except ServiceUnavailable as e:
            raise StoreError(
                f"cannot reach Neo4j at {self.uri}: is the server running? (docker compose up -d neo4j)"
            ) from e
        except AuthError as e:
            raise StoreError(
                f"Neo4j at {self.uri} refused the user name or password (NEO4J_USERNAME, NEO4J_PASSWORD)"
            ) from e
        except ClientError as e:
            if e.code and "AuthenticationRateLimit" in e.code:
                raise StoreError(
                    f"Neo4j at {self.uri} refused the user name or password too many times in a row: "
                    "wait a few seconds, then check NEO4J_USERNAME and NEO4J_PASSWORD"
                ) from e
            if e.code and "DatabaseNotFound" in e.code:
                raise StoreError(f"Neo4j at {self.uri} has no database {self.database!r} (NEO4J_DATABASE)") from e
            raise QueryError(e.message or str(e)) from e
        except Neo4jError as e:
            raise QueryError(e.message or str(e)) from e
        except DriverError as e:
            raise StoreError(f"Neo4j at {self.uri}: {e}") from e

    # --- reading ----------------------------------------------------------------------------
    def _execute(self, cypher: str, params: dict[str, Any]) -> QueryResult:
        with self._errors():
            records, _, keys = self.driver.execute_query(
                cypher, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return QueryResult(list(keys), [tuple(record.values()) for record in records])

    def run_table(self, cypher: str, params: dict[str, Any], columns: Sequence[str]) -> QueryResult:
        """Every row in one record (a list of lists): the driver builds a record per row in Python,
        about 25 µs each, three times the server's time for a network of 7,500 edges."""
        check_read_only(cypher)
        # CALL { } rather than CALL () { }: Neo4j before 5.23 knows only the first
        names = ", ".join(f"`{column}`" for column in columns)
        whole = f"CALL {{\n{cypher}\n}}\nRETURN collect([{names}]) AS rows"
        (rows,) = self._execute(whole, dict(params)).rows[0]
        return QueryResult(list(columns), [tuple(row) for row in rows])

    def _execute_analyst(
        self, cypher: str, params: dict[str, Any], timeout: float, max_rows: int | None
    ) -> QueryResult:
        """An analyst's query: its own session in READ access mode (the server refuses writes),
        an explicit transaction (so ``CALL … IN TRANSACTIONS`` is refused), the server's
        transaction timeout, and no more than ``max_rows`` rows fetched."""

        @neo4j.unit_of_work(timeout=timeout)
        def read(tx: neo4j.ManagedTransaction) -> QueryResult:
            result = tx.run(cypher, params)
            rows = [tuple(r.values()) for r in itertools.islice(result, None if max_rows is None else max_rows + 1)]
            keys = list(result.keys())
            if max_rows is not None and len(rows) > max_rows:
                return QueryResult(keys, rows[:max_rows], truncated=True)
            return QueryResult(keys, rows)

        with (
            self._errors(),
            self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session,
        ):
            try:
                return session.execute_read(read)
            except ClientError as e:
                if e.code and "TransactionTimedOut" in e.code:
                    raise QueryTimeoutError(
                        f"query stopped after {timeout:g} s (its time limit; raise it with --timeout)"
                    ) from None
                raise

    def version(self) -> str:
        rows = self.run(f"MATCH (s:Source) RETURN DISTINCT s.{GENERATION} AS g ORDER BY g").rows
        return ",".join(str(g) for (g,) in rows)

    def sources(self) -> list[SourceFile]:
        rows = self.run(
            "MATCH (s:Source) WHERE s.kind <> 'codebook' RETURN s.name AS name, s.data AS data ORDER BY name"
        ).rows
        return [SourceFile(name, bytes(data or b"")) for name, data in rows]

    def codebook(self) -> SourceFile | None:
        rows = self.run("MATCH (s:Source {kind: 'codebook'}) RETURN s.name, s.data ORDER BY s.name LIMIT 1").rows
        return SourceFile(rows[0][0], bytes(rows[0][1])) if rows else None

    # --- writing ----------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the load lock on the server; a second load gets :class:`StoreBusyError`.
        Re-entrant in the thread that holds it (a load holds it from reading the loaded
        sources to the end of the sweep, so no concurrent load's files are lost)."""
        if self._writer == threading.get_ident():
            yield
            return
        with self._errors():
            lock = LoadLock(self.driver, self.database, self.describe(), self.lease_seconds)
            lock.claim()
        self._lock, self._writer = lock, threading.get_ident()
        try:
            yield
        finally:
            self._lock = self._writer = None
            with self._errors():
                lock.release()

    def _write(self, cypher: str, params: dict[str, Any]) -> Any:
        if self._lock is not None:
            self._lock.check()
        with self._errors():
            return self.driver.execute_query(
                cypher, params, database_=self.database, routing_=neo4j.RoutingControl.WRITE
            )

    def replace_graph(
        self,
        graph: GraphData,
        sources: Sequence[SourceFile],
        codebook: SourceFile,
        progress: Progress | None = None,
    ) -> None:
        with self.writing():
            self._replace_graph(graph, sources, codebook, progress)

    def _replace_graph(
        self, graph: GraphData, sources: Sequence[SourceFile], codebook: SourceFile, progress: Progress | None
    ) -> None:
        generation = uuid.uuid4().hex
        for statement in schema_statements():
            self._write(statement, {})
        # a database holding none of our nodes has nothing to merge with or sweep: rows are created
        fresh = not self._holds_graph()
        add_codebook_source(graph, codebook)
        for label in NODES:
            if label != "Source":
                self._write_nodes(graph, label, fresh, generation, progress)
        for rel, (_, props) in RELATIONSHIPS.items():
            groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
            for row in graph.rel_rows(rel):
                groups[(row["srcLabel"], row["dstLabel"])].append(
                    {"src": row["src"], "dst": row["dst"], **{p: row[p] for p in props}}
                )
            key = "{" + ", ".join(f"{p}: row.{p}" for p in props) + "}" if props else ""
            for (src, dst), rows in groups.items():
                self._batches(
                    f"UNWIND $rows AS row MATCH (a:{src} {{id: row.src}}) MATCH (b:{dst} {{id: row.dst}}) "
                    f"{'CREATE' if fresh else 'MERGE'} (a)-[r:{rel} {key}]->(b) SET r.{GENERATION} = $generation",
                    rows,
                    generation,
                    progress,
                    f"{rel} {src}->{dst}",
                )
        # the sources last, once the rest is in and swept: version() reads their stamp, and the
        # caches keyed by it (the dashboard's, the analyses') must never keep a half-written graph
        if not fresh:
            self._sweep(generation, progress, [label for label in NODES if label != "Source"])
        contents = {s.name: s.data for s in sources}
        self._write_nodes(graph, "Source", fresh, generation, progress, contents, codebook.data)
        if not fresh:
            self._sweep(generation, None, ["Source"], relationships=False)

    def _write_nodes(
        self,
        graph: GraphData,
        label: str,
        fresh: bool,
        generation: str,
        progress: Progress | None,
        contents: dict[str, bytes] | None = None,
        codebook: bytes = b"",
    ) -> None:
        """Write one label's rows (a Source's ``data`` from ``contents``, the codebook's from ``codebook``)."""
        rows = [{p: row[p] for p in NODES[label]} for row in graph.node_rows(label)]
        if contents is not None:
            for row in rows:
                row["data"] = contents.get(row["name"], codebook if row["kind"] == "codebook" else b"")
        # a row is set whole, so no property an earlier version wrote stays behind; an excerpt
        # keeps what the semantic extra adds to it (embedding, textHash, embeddingModel)
        merge = "SET n += row" if label in KEEPS_EXTRA_PROPERTIES else "SET n = row"
        write = f"CREATE (n:{label}) SET n = row" if fresh else f"MERGE (n:{label} {{id: row.id}}) {merge}"
        self._batches(f"UNWIND $rows AS row {write}, n.{GENERATION} = $generation", rows, generation, progress, label)

    def _holds_graph(self) -> bool:
        """True when the database holds a node of any label of the graph model (a load's, or an
        interrupted load's)."""
        query = " UNION ".join(f"MATCH (n:{label}) RETURN 1 AS found LIMIT 1" for label in NODES)
        return bool(self._write(query, {}).records)

    def _batches(
        self, cypher: str, rows: list[dict[str, Any]], generation: str, progress: Progress | None, what: str
    ) -> None:
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            self._write(cypher, {"rows": batch, "generation": generation})
            if progress:
                progress(Step(f"{what}: {start + len(batch)} of {len(rows)}", "writing", start + len(batch), len(rows)))

    def _sweep(
        self, generation: str, progress: Progress | None, labels: Sequence[str], relationships: bool = True
    ) -> None:
        """Delete what earlier loads wrote and this one did not (every relationship type, unless
        ``relationships`` is False, and the nodes of ``labels``), one batch per transaction."""
        statements = [
            f"MATCH ()-[r:{rel}]->() WHERE r.{GENERATION} <> $generation "
            f"WITH r LIMIT $batch DELETE r RETURN count(*) AS n"
            for rel in (RELATIONSHIPS if relationships else ())
        ] + [
            f"MATCH (n:{label}) WHERE n.{GENERATION} <> $generation "
            f"WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n"
            for label in labels
        ]
        assert self._lock is not None
        with self._errors():
            self._lock.renew()  # never sweep with a lapsed lease: another load may hold the lock
        for statement in statements:
            _repeat(lambda s=statement: self._write(s, {"generation": generation, "batch": self.batch_size}))
        if progress:
            progress("removed what the previous load had and this one does not")


def _repeat(step: Callable[[], Any]) -> None:
    """Run a batched delete until it deletes nothing."""
    while True:
        records = step().records
        if not records or records[0]["n"] == 0:
            return

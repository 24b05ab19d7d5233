"""A fresh LadybugDB database holding every row of a graph, written with the engine's bulk ``COPY``.

Each table is made as Arrow columns of the model's types and copied in from memory, but for
the excerpts (the text: 1.5 million rows, 0.7 GB at 10,000 interviews). Those are written a
batch at a time to a Parquet file beside the database and copied from it, so that the load never
holds their Arrow table whole: the engine reads the file in its own chunks (a third of the
memory, and quicker, measured at 10,000 interviews).
"""

from __future__ import annotations

import contextlib
import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ladybug

from challenge_graph.graph.errors import StoreError
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import DERIVED_RELATIONSHIPS, NODES, RELATIONSHIPS
from challenge_graph.graph.progress import Step
from challenge_graph.store.base import Progress, first_line

__all__ = ["FILE_COPIED", "build_database", "schema_statements"]

FILE_COPIED = frozenset({"Excerpt"})  # node tables copied from a Parquet file, not from memory
UNIQUE_COLUMNS = frozenset({"id", "text"})  # their values hardly repeat: no dictionary in the file

Copy = Callable[[Any], None]  # runs one table's COPY on a connection
ALONE_FROM = 20_000  # a table of more rows is committed alone (see _commit_groups)


def schema_statements() -> list[str]:
    """DDL for every node and relationship table of the graph model."""
    statements = []
    for label, props in NODES.items():
        columns = ", ".join(f"{name} {kind}" for name, kind in props.items())
        statements.append(f"CREATE NODE TABLE {label}({columns}, PRIMARY KEY(id))")
    for rel, (pairs, props) in RELATIONSHIPS.items():
        ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
        extra = "".join(f", {name} {kind}" for name, kind in props.items())
        statements.append(f"CREATE REL TABLE {rel}({ends}{extra})")
    return statements


def build_database(path: Path, graph: GraphData, progress: Progress | None) -> None:
    """Create a fresh database at ``path`` and bulk-copy every table into it (files it writes
    on the way are named after ``path``, and removed)."""
    import pyarrow as pa  # only a full write needs it (a query starts quicker without)

    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    try:
        with _transaction(conn):
            for statement in schema_statements():
                conn.execute(statement)
        # COPY only into empty tables of this fresh database (see DESIGN.md); a COPY that fails
        # ends the build, so no COPY follows a rolled-back one
        copies = _copies(graph, path)
        number = 0
        for group in _commit_groups(copies):
            with _transaction(conn) if len(group) > 1 else contextlib.nullcontext():
                for what, count, copy in group:
                    number += 1
                    if progress:
                        progress(Step(f"{what}: {count}", "writing", number, len(copies)))
                    copy(conn)
    except (pa.ArrowException, OSError, RuntimeError, UnicodeError) as e:
        raise StoreError(f"building {path.name} failed: {first_line(str(e))}") from e
    finally:
        conn.close()
        db.close()


def _commit_groups(copies: list[tuple[str, int, Copy]]) -> list[list[tuple[str, int, Copy]]]:
    """``copies`` in their order, cut into what each commit writes: a table of over
    :data:`ALONE_FROM` rows alone, the small tables between two such in one commit.

    Each commit costs about 10 ms however little it writes (30 small tables at 1,000 interviews:
    0.3 s, measured); a transaction around the big tables as well holds them all in memory until
    it commits (+240 MB at 1,000 interviews, measured).

    >>> [[what for what, _, _ in group] for group in _commit_groups(
    ...     [("a", 5, None), ("b", 9, None), ("Excerpt", 10**6, None), ("c", 1, None)])]
    [['a', 'b'], ['Excerpt'], ['c']]
    """
    groups: list[list[tuple[str, int, Copy]]] = []
    small: list[tuple[str, int, Copy]] = []
    for copy in copies:
        if copy[1] > ALONE_FROM:
            groups += [small, [copy]] if small else [[copy]]
            small = []
        else:
            small.append(copy)
    return groups + [small] if small else groups


@contextlib.contextmanager
def _transaction(conn: Any) -> Iterator[None]:
    """One explicit transaction on ``conn``, committed when the block ends, rolled back if it
    raises (a failed statement has rolled it back already: the engine then has none to end)."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with contextlib.suppress(RuntimeError):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _copies(graph: GraphData, path: Path) -> list[tuple[str, int, Copy]]:
    """Each table's description, row count, and its ``COPY`` (which makes the table's rows when
    its turn comes, so that no table's columns wait in memory through another's copy). Nodes
    come first; a derived relationship's table is made from the columns of its source label's
    that it needs (ids, no text, no copy), kept until then."""
    import pyarrow as pa

    from challenge_graph.store.arrow_tables import arrow_columns

    made: dict[str, list[Any]] = defaultdict(list)
    sources = {src: prop for src, prop, _ in DERIVED_RELATIONSHIPS.values()}

    def tables(label: str) -> Any:  # held rows are read column by column, never as a dict each
        # the excerpts' packed rows are let go as they are written: the text is not held twice
        for batch in graph.column_batches(label, list(NODES[label]), release=label in FILE_COPIED):
            table = arrow_columns(batch, NODES[label])
            if label in sources:  # each row's id, and the target's id its property holds
                made[label].append(table.select(["id", sources[label]]).rename_columns(["src", "dst"]))
            yield table

    def node_copy(label: str, conn: Any) -> None:
        if label in FILE_COPIED:
            _copy_through_file(conn, label, tables(label), path.with_name(f"{path.name}.{label}.parquet"))
        else:
            _copy_frame(conn, f"COPY {label} FROM frame", pa.concat_tables(list(tables(label))))

    def derived_copy(rel: str, src: str, dst: str, conn: Any) -> None:
        _copy_frame(conn, f"COPY {rel} FROM frame (from='{src}', to='{dst}')", pa.concat_tables(made.pop(src)))

    def rel_copy(rel: str, columns: dict[str, str], conn: Any) -> None:
        # read column by column (an interview's held rows are never made into a dict each), one
        # COPY for each (source label, target label) the rows join
        for (src, dst), values in graph.rel_columns(rel, list(columns)).items():
            _copy_frame(conn, f"COPY {rel} FROM frame (from='{src}', to='{dst}')", arrow_columns(values, columns))

    counts = graph.counts()
    copies = [(label, counts[label], functools.partial(node_copy, label)) for label in NODES if counts.get(label)]
    for rel, (_, props) in RELATIONSHIPS.items():
        if rel in DERIVED_RELATIONSHIPS:
            src, prop, dst = DERIVED_RELATIONSHIPS[rel]
            if counts.get(rel):
                copies.append((f"{rel} {src}->{dst}", counts[rel], functools.partial(derived_copy, rel, src, dst)))
            continue
        if counts.get(rel):
            columns = {"src": "STRING", "dst": "STRING", **props}
            copies.append((rel, counts[rel], functools.partial(rel_copy, rel, columns)))
    # in the model's order: the excerpts early (copying the small node tables first peaked 200 MB
    # higher at 1,000 interviews, measured); consecutive small tables share a commit (_commit_groups)
    return copies


def _copy_frame(conn: Any, statement: str, frame: Any) -> None:
    """Run ``statement``, a ``COPY … FROM frame`` (the engine reads the Arrow table by its name)."""
    conn.execute(statement)


def _copy_through_file(conn: Any, label: str, tables: Any, file: Path) -> None:
    """Write ``tables`` (Arrow tables of one schema) to the Parquet ``file``, a table at a time,
    then copy ``label`` from it; the file is removed either way."""
    import pyarrow.parquet as pq

    writer = None
    try:
        try:
            # a thread writes each table while the next one is made: the write lets go of Python's lock
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet") as thread:
                written: Future[None] | None = None  # the write of the table before
                for table in tables:
                    if writer is None:
                        # no compression, no statistics, and a dictionary only where values repeat (not
                        # the ids, not the text): written in 1.4 s at 10,000 interviews, 3.4 s by default
                        repeated = [name for name in table.schema.names if name not in UNIQUE_COLUMNS]
                        writer = pq.ParquetWriter(
                            file, table.schema, compression="none", use_dictionary=repeated, write_statistics=False
                        )
                    if written is not None:
                        written.result()
                    written = thread.submit(writer.write_table, table)
                if written is not None:
                    written.result()
        finally:
            if writer is not None:
                writer.close()
        if writer is not None:
            _return_freed_memory()  # the excerpts' packed rows, let go as they were written
            conn.execute(f"COPY {label} FROM {cypher_string(str(file))}")
    finally:
        file.unlink(missing_ok=True)


def cypher_string(text: str) -> str:
    r"""``text`` as a Cypher string literal, for a statement that takes no parameter there
    (``COPY … FROM`` a file).

    >>> print(cypher_string("/data/it's\\here"))
    '/data/it\'s\\here'
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _return_freed_memory() -> None:
    """Give the memory the C library holds free back to the system (glibc's ``malloc_trim``;
    elsewhere nothing). Bytes Python let go of stay in the process's heap, where the engine's
    buffer pool (memory of its own) cannot reuse them: at 10,000 interviews, trimming before the
    excerpts' ``COPY`` lowers the load's peak by about 0.5 GB (measured)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is not None:
        trim(0)

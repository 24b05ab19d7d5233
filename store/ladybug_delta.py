"""Write a new graph as the changes from the last one, when they are few.

A full load copies every row into a fresh database. When a load changes a few interviews of a
large corpus, copying the current database file and applying the difference is much cheaper.
The difference is found without reading the database:

* rows that belong to one interview (its node, its excerpts and their relationships) change
  together with the interview's fragment key (see :mod:`graph.fragments`): an interview whose key
  changed is deleted and inserted again;
* every other row (codes, participants, coders, tools, stages, sources, stored aggregates) is
  compared with a snapshot of the rows last written, kept beside the database.

Anything unusual (no snapshot, a database changed since, too many changes, an engine error)
returns ``False`` and the caller builds the database from scratch, so the result is always the
graph a full load would write.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ladybug

from challenge_graph.graph.graph_data import HELD_RELS, GraphData, derived_rows
from challenge_graph.graph.kept_files import read_kept, write_kept
from challenge_graph.graph.kept_values import register
from challenge_graph.graph.model import DERIVED_RELATIONSHIPS, NODES, RELATIONSHIPS

__all__ = [
    "FirstWrite",
    "OpenCopy",
    "Snapshot",
    "apply_changes",
    "first_statements",
    "built_from_fragments",
    "read_snapshot",
    "rows_by_ends",
    "snapshot_of",
    "write_snapshot",
]

logger = logging.getLogger(__name__)

INTERVIEW_NODES = ("Interview", "Excerpt")
# relationship -> which end names the interview: the Interview's id, or an excerpt id ``interview:position``
INTERVIEW_RELS = {
    "FROM": "dst",
    "INTERVIEWED_IN": "dst",
    "CODED": "dst",
    "IN_STUDY": "src",
    "SAID": "dst:excerpt",
    "CODED_AS": "src:excerpt",
    "MENTIONS": "src:excerpt",
}
_ENDS = (("srcLabel", "src"), ("dstLabel", "dst"))
MAX_CHANGED_ROWS = 50_000  # above this, a fresh database is as quick and simpler


@register
@dataclass
class Snapshot:
    """What was last written: each interview's fragment key and every row not owned by one interview."""

    database: str  # the database file's size and modification time right after the write
    interviews: dict[str, str] = field(default_factory=dict)
    rows: GraphData = field(default_factory=GraphData)  # kept as a graph: its tables pack as columns
    schema: str = ""  # the graph model it was written with (schema_digest)

    @property
    def nodes(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.rows.nodes

    @property
    def rels(self) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
        return self.rows.rels


def schema_digest() -> str:
    """A digest of the graph model's tables: a database written with another model is never changed
    in place, but built again."""
    return hashlib.sha256(repr((NODES, RELATIONSHIPS)).encode("utf-8")).hexdigest()[:16]


def built_from_fragments(graph: GraphData) -> bool:
    """True when every interview's rows are its fragment's: each interview has a fragment key,
    and nothing added or removed interviews' rows since the build (suggestions by
    ``auto-semantic`` are added afterwards, for every interview)."""
    keys = graph.fragment_keys
    counts = graph.counts()
    owned = (*INTERVIEW_NODES, *INTERVIEW_RELS)
    return (
        bool(keys) and "" not in keys.values() and all(counts.get(t, 0) == graph.built_counts.get(t, 0) for t in owned)
    )


def snapshot_of(graph: GraphData, database: str) -> Snapshot | None:
    """The snapshot to keep after writing ``graph`` to the database file identified by
    ``database``; None when the next load must not start from it (see :func:`built_from_fragments`)."""
    if not built_from_fragments(graph):
        return None
    kept = GraphData()
    kept.nodes.update({label: dict(rows) for label, rows in graph.nodes.items() if label not in INTERVIEW_NODES})
    kept.rels.update({rel: dict(rows) for rel, rows in graph.rels.items() if rel not in INTERVIEW_RELS})
    return Snapshot(
        database,
        dict(graph.fragment_keys),
        kept,
        schema_digest(),
    )


def read_snapshot(path: Path) -> Snapshot | None:
    return read_kept(path, Snapshot)


def write_snapshot(path: Path, snapshot: Snapshot | None) -> None:
    """Keep ``snapshot`` at ``path``, or remove the one there when None."""
    if snapshot is None:
        path.unlink(missing_ok=True)
    else:
        write_kept(path, snapshot)


def apply_changes(current: Path, target: Path, old: Snapshot, graph: GraphData, copy: OpenCopy | None = None) -> bool:
    """Change a copy of the database ``current`` into ``graph`` at ``target``: ``copy``, made and
    opened meanwhile (some interviews may be written into it already, :attr:`OpenCopy.first`),
    else a copy made now. False (and no ``target``) when the changes are better written by a full
    build; ``copy`` is then left as it is, for the caller to remove."""
    if not built_from_fragments(graph) or old.schema != schema_digest():
        return False
    if copy is not None and copy.first is not None:
        old = copy.first.after(old, graph)
    changed = {iid for iid, key in graph.fragment_keys.items() if old.interviews.get(iid) != key}
    gone = set(old.interviews) - set(graph.fragment_keys)
    statements = _statements(old, graph, changed, gone)
    if sum(len(rows) for _, rows in statements) > MAX_CHANGED_ROWS:
        return False
    try:
        if copy is None:
            shutil.copyfile(current, target)
            copy = OpenCopy(target, ladybug.Database(str(target)))
        try:
            conn = copy.connection
            conn.execute("BEGIN TRANSACTION")
            for cypher, rows in statements:
                if rows:
                    logger.debug("%d rows: %s", len(rows), cypher)
                    conn.execute(cypher, {"rows": rows})
            conn.execute("COMMIT")
        finally:
            copy.close()
        os.replace(copy.path, target)
    except RuntimeError as e:
        logger.info("writing the changes failed (%s): building the database from scratch", e)
        target.unlink(missing_ok=True)
        return False
    return True


class OpenCopy:
    """A copy of the database at ``path``, open for writing (``database`` and its ``connection``),
    and the interviews written into it before the build ended (:attr:`first`, None if none)."""

    def __init__(self, path: Path, database: ladybug.Database) -> None:
        self.path = path
        self.database: ladybug.Database | None = database
        self.connection: ladybug.Connection | None = ladybug.Connection(database)
        self.first: FirstWrite | None = None

    def write_first(self, statements: list[tuple[str, list[dict[str, Any]]]], first: FirstWrite) -> None:
        """Run ``statements`` (:func:`first_statements`) in one transaction and checkpoint: the
        copy then holds ``first``."""
        self.connection.execute("BEGIN TRANSACTION")
        for cypher, rows in statements:
            self.connection.execute(cypher, {"rows": rows})
        self.connection.execute("COMMIT")
        self.connection.execute("CHECKPOINT")
        self.first = first

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.database.close()
            self.connection = self.database = None


@dataclass
class FirstWrite:
    """Interviews written into the copied database before the build ended (:func:`first_statements`)."""

    interviews: dict[str, str]  # interview id -> its fragment key
    rows: dict[str, dict[str, list[str]]]  # interview id -> table -> its rows as written (see _written)
    nodes: dict[str, dict[str, dict[str, Any]]]  # label -> id -> row, inserted for them
    stood: list[str] = field(default_factory=list)  # the interviews the graph has as written first (after())

    def after(self, old: Snapshot, graph: GraphData) -> Snapshot:
        """``old`` as the copy now holds it: with the interviews written first and the rows
        inserted for them. An interview whose rows in ``graph`` are not those written (a later
        step of the build changed them) is marked to be written again."""
        interviews = dict(old.interviews)
        for iid, key in self.interviews.items():
            same = key == graph.fragment_keys.get(iid) and _written(_own_rows(graph, {iid})) == self.rows[iid]
            interviews[iid] = key if same else ""  # "": no fragment has it, so it is deleted and written again
            if same:
                self.stood.append(iid)
        rows = GraphData()
        rows.nodes.update(old.nodes)
        rows.rels.update(old.rels)
        for label, added in self.nodes.items():
            rows.nodes[label] = {**old.nodes.get(label, {}), **added}
        return Snapshot(old.database, interviews, rows, old.schema)


def first_statements(
    old: Snapshot, built: dict[str, tuple[str, GraphData]]
) -> tuple[list[tuple[str, list[dict[str, Any]]]], FirstWrite]:
    """Statements that write some interviews before the rest of the graph is known: ``built``
    maps an interview's id to its fragment key and its rows as written
    (:func:`graph.build.written_rows`). Each interview new or changed since ``old`` gets its own
    rows, after its old ones are deleted, and the nodes of other tables that ``old`` lacks (a new
    participant, a new code; the figures the build adds later are null); one whose relationships
    need a node not among them is left to :func:`apply_changes`. (How many are built first is the
    build's choice: :class:`pipeline.fragments.KeptBuilds`.) :meth:`FirstWrite.after` tells the
    rest of the changes what is written."""
    first = FirstWrite({}, {}, defaultdict(dict))
    own_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    todo = sorted((iid, key, rows) for iid, (key, rows) in built.items() if old.interviews.get(iid) != key)
    for iid, key, rows in todo:
        # copies: the build goes on editing its rows while these are written
        own = {table: [dict(row) for row in part] for table, part in _own_rows(rows, {iid}).items()}
        added = {
            label: {
                k: {p: row.get(p) for p in NODES[label]}
                for k, row in table.items()
                if k not in old.nodes.get(label, {}) and k not in first.nodes[label]
            }
            for label, table in rows.nodes.items()
            if label not in INTERVIEW_NODES and label in NODES
        }
        known = {("Interview", iid), *(("Excerpt", row["id"]) for row in own["Excerpt"])}
        known.update(
            (label, k) for table in (old.nodes, first.nodes, added) for label, ids in table.items() for k in ids
        )
        ends = ((r[label], r[end]) for rel in INTERVIEW_RELS for r in own[rel] for label, end in _ENDS)
        if not all(end in known for end in ends):
            continue
        for label, table in added.items():
            first.nodes[label].update(table)
        for table, table_rows in own.items():
            own_rows[table].extend(table_rows)
        first.interviews[iid], first.rows[iid] = key, _written(own)
    stale = sorted(first.interviews.keys() & old.interviews.keys())
    statements: list[tuple[str, list[dict[str, Any]]]] = [
        ("MATCH (e:Excerpt) WHERE e.interview IN $rows DETACH DELETE e", stale),
        ("MATCH (i:Interview) WHERE i.id IN $rows DETACH DELETE i", stale),
    ]
    for label, props in NODES.items():
        rows = own_rows[label] if label in INTERVIEW_NODES else list(first.nodes.get(label, {}).values())
        statements.append((_create_node(label, props), rows))
    for rel in INTERVIEW_RELS:
        for (src, dst), group in rows_by_ends(own_rows[rel]).items():
            statements.append((_create_rel(rel, src, dst), group))
    return [(cypher, rows) for cypher, rows in statements if rows], first


def _written(own: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Rows by table in a form two sets of rows compare equal in when they write the same rows."""
    return {table: sorted(repr(sorted(row.items())) for row in rows) for table, rows in own.items()}


def _statements(
    old: Snapshot, graph: GraphData, changed: set[str], gone: set[str]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Parameterised statements (with their rows) that turn the old graph into ``graph``:
    deletions first, then updates, then insertions (nodes before relationships)."""
    deletions: list[tuple[str, list[dict[str, Any]]]] = []
    updates: list[tuple[str, list[dict[str, Any]]]] = []
    node_inserts: list[tuple[str, list[dict[str, Any]]]] = []
    rel_inserts: list[tuple[str, list[dict[str, Any]]]] = []
    stale = sorted((changed & old.interviews.keys()) | gone)  # a new interview has nothing to delete
    deletions.append(("MATCH (e:Excerpt) WHERE e.interview IN $rows DETACH DELETE e", stale))
    deletions.append(("MATCH (i:Interview) WHERE i.id IN $rows DETACH DELETE i", stale))

    for rel in RELATIONSHIPS:
        if rel in INTERVIEW_RELS:
            continue
        before, after = old.rels.get(rel, {}), graph.rels.get(rel, {})
        removed = [row for key, row in before.items() if key not in after]
        added = [row for key, row in after.items() if key not in before]
        for (src, dst), rows in rows_by_ends(removed).items():
            deletions.append((_delete_rel(rel, src, dst), rows))
        for (src, dst), rows in rows_by_ends(added).items():
            rel_inserts.append((_create_rel(rel, src, dst), rows))

    owned = _own_rows(graph, changed)
    for label, props in NODES.items():
        if label in INTERVIEW_NODES:
            node_inserts.append((_create_node(label, props), owned[label]))
            continue
        before, after = old.nodes.get(label, {}), graph.nodes.get(label, {})
        gone_ids = [key for key in before if key not in after]
        deletions.append((f"MATCH (n:{label}) WHERE n.id IN $rows DETACH DELETE n", gone_ids))
        node_inserts.append((_create_node(label, props), [row for key, row in after.items() if key not in before]))
        edits: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for key, row in after.items():
            if key in before and before[key] != row:
                for prop in props:
                    if before[key].get(prop) != row.get(prop):
                        edits[prop].append({"id": key, "value": row.get(prop)})
        for prop, rows in edits.items():
            updates.append((f"UNWIND $rows AS r MATCH (n:{label} {{id: r.id}}) SET n.{prop} = r.value", rows))

    for rel in INTERVIEW_RELS:
        for (src, dst), group in rows_by_ends(owned[rel]).items():
            rel_inserts.append((_create_rel(rel, src, dst), group))
    return deletions + updates + node_inserts + rel_inserts


def _own_rows(graph: GraphData, interviews: Collection[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows ``interviews`` (ids) own, by table (:data:`INTERVIEW_NODES`, :data:`INTERVIEW_RELS`);
    the other interviews' held rows stay packed (:meth:`GraphData.hold`)."""
    excerpts = graph.owned_rows("Excerpt", interviews)
    own = {
        "Interview": [row for row in graph.nodes.get("Interview", {}).values() if row["id"] in interviews],
        "Excerpt": excerpts,
    }
    # the interviews' excerpts, so that each of the 360,000 rows at 1,000 interviews costs one lookup
    excerpt_ids = {row["id"] for row in excerpts}
    for rel, owner in INTERVIEW_RELS.items():
        end, _, kind = owner.partition(":")
        wanted = excerpt_ids if kind == "excerpt" else interviews
        if rel in DERIVED_RELATIONSHIPS:
            own[rel] = derived_rows(rel, excerpts)
        elif rel in HELD_RELS:
            own[rel] = graph.owned_rows(rel, interviews)
        else:
            own[rel] = [row for row in graph.rel_rows(rel) if row[end] in wanted]
    return own


def rows_by_ends(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Relationship rows grouped by their (source label, target label): one statement or COPY each."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["srcLabel"], row["dstLabel"])].append(row)
    return groups


def _fields(props: dict[str, str]) -> str:
    """`` {p: r.p, ...}`` for a pattern, or nothing when there are no properties."""
    return " {" + ", ".join(f"{p}: r.{p}" for p in props) + "}" if props else ""


def _create_node(label: str, props: dict[str, str]) -> str:
    return f"UNWIND $rows AS r CREATE (:{label}{_fields(props)})"


def _create_rel(rel: str, src: str, dst: str) -> str:
    props = RELATIONSHIPS[rel][1]
    return (
        # two MATCH clauses: LadybugDB plans the comma-joined pattern as a scan (1.6 s against 22 ms
        # for 150 excerpts at 1,000 interviews)
        f"UNWIND $rows AS r MATCH (a:{src} {{id: r.src}}) MATCH (b:{dst} {{id: r.dst}}) "
        f"CREATE (a)-[:{rel}{_fields(props)}]->(b)"
    )


def _delete_rel(rel: str, src: str, dst: str) -> str:
    props = RELATIONSHIPS[rel][1]
    same = "".join(f" AND x.{p} = r.{p}" for p in props)
    pattern = f"(a:{src} {{id: r.src}})-[x:{rel}]->(b:{dst} {{id: r.dst}})"
    return f"UNWIND $rows AS r MATCH {pattern} WHERE true{same} DELETE x"

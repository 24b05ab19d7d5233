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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ladybug

from challenge_graph.graph.graph_data import HELD_RELS, GraphData, derived_rows
from challenge_graph.graph.kept_files import read_kept, write_kept
from challenge_graph.graph.kept_values import register
from challenge_graph.graph.model import DERIVED_RELATIONSHIPS, NODES, RELATIONSHIPS

__all__ = [
    "Snapshot",
    "apply_changes",
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


def apply_changes(current: Path, target: Path, old: Snapshot, graph: GraphData, copied: Path | None = None) -> bool:
    """Copy the database ``current`` to ``target`` (or move ``copied``, a copy of it made
    meanwhile) and change it into ``graph``; False (and no ``target``) when the changes are
    better written by a full build."""
    if not built_from_fragments(graph) or old.schema != schema_digest():
        return False
    changed = {iid for iid, key in graph.fragment_keys.items() if old.interviews.get(iid) != key}
    gone = set(old.interviews) - set(graph.fragment_keys)
    statements = _statements(old, graph, changed, gone)
    if sum(len(rows) for _, rows in statements) > MAX_CHANGED_ROWS:
        return False
    if copied is not None:
        os.replace(copied, target)
    else:
        shutil.copyfile(current, target)
    try:
        db = ladybug.Database(str(target))
        conn = ladybug.Connection(db)
        try:
            conn.execute("BEGIN TRANSACTION")
            for cypher, rows in statements:
                if rows:
                    logger.debug("%d rows: %s", len(rows), cypher)
                    conn.execute(cypher, {"rows": rows})
            conn.execute("COMMIT")
        finally:
            conn.close()
            db.close()
    except RuntimeError as e:
        logger.info("writing the changes failed (%s): building the database from scratch", e)
        target.unlink(missing_ok=True)
        return False
    return True


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

    excerpts = graph.owned_rows("Excerpt", changed)  # the others' stay packed (GraphData.hold)
    for label, props in NODES.items():
        if label == "Excerpt":
            node_inserts.append((_create_node(label, props), excerpts))
            continue
        if label in INTERVIEW_NODES:
            rows = [r for r in graph.nodes.get(label, {}).values() if _owner(label, r) in changed]
            node_inserts.append((_create_node(label, props), rows))
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

    # the changed interviews' excerpts, so that each of the 360,000 rows at 1,000 interviews costs one lookup
    excerpt_ids = {row["id"] for row in excerpts}
    for rel, owner in INTERVIEW_RELS.items():
        end, _, kind = owner.partition(":")
        wanted = excerpt_ids if kind == "excerpt" else changed
        if rel in DERIVED_RELATIONSHIPS:
            rows = derived_rows(rel, excerpts)
        elif rel in HELD_RELS:
            rows = graph.owned_rows(rel, changed)  # the others' stay packed, as their excerpts
        else:
            rows = [r for r in graph.rel_rows(rel) if r[end] in wanted]
        for (src, dst), group in rows_by_ends(rows).items():
            rel_inserts.append((_create_rel(rel, src, dst), group))
    return deletions + updates + node_inserts + rel_inserts


def _owner(label: str, row: dict[str, Any]) -> str:
    return row["id"] if label == "Interview" else row["interview"]


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

"""The reference a tutorial-style script gives: one query per node and per relationship."""

from __future__ import annotations

from pathlib import Path

import ladybug

from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import NODES, RELATIONSHIPS
from challenge_graph.store.ladybug_store import schema_statements

__all__ = ["naive_load"]


def naive_load(graph: GraphData, path: Path) -> int:
    """Write ``graph`` into a fresh database at ``path`` one statement at a time; return how many."""
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    statements = 0
    for ddl in schema_statements():
        conn.execute(ddl)
    for label, props in NODES.items():
        assignments = ", ".join(f"{p}: ${p}" for p in props)
        for row in graph.node_rows(label):
            conn.execute(f"CREATE (:{label} {{{assignments}}})", {p: row[p] for p in props})
            statements += 1
    for rel, (_, props) in RELATIONSHIPS.items():
        assignments = ", ".join(f"{p}: ${p}" for p in props)
        for row in graph.rel_rows(rel):
            conn.execute(
                f"MATCH (a:{row['srcLabel']} {{id: $src}}), (b:{row['dstLabel']} {{id: $dst}}) "
                f"CREATE (a)-[:{rel} {{{assignments}}}]->(b)",
                {"src": row["src"], "dst": row["dst"], **{p: row[p] for p in props}},
            )
            statements += 1
    conn.close()
    db.close()
    return statements

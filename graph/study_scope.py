"""Scope one study's rows: every row says its study, and a named study's ids carry its id.

Two studies' ``Interview 5`` (or ``Leader 4``, or code ``Data-low-quality``) are different
things: a study other than the default one prefixes the ids of what belongs to it with
``<study-id>/``, so the default study's ids stay as a single-study corpus has them.
"""

from __future__ import annotations

from typing import Any

from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import CODE_LABELS, DEFAULT_STUDY

__all__ = ["SCOPED_LABELS", "STUDY_LABELS", "scoped_id", "scope"]

# labels whose ids belong to one study (Tool, ReferenceStage, Source and the corpus counts do not)
SCOPED_LABELS = frozenset(
    {"Interview", "Participant", "Excerpt", "Coder", "Stage", "Protocol", "ProtocolQuestion", "StageCategory"}
    | set(CODE_LABELS)
)
# labels with a ``study`` property
STUDY_LABELS = ("Interview", "Participant", "Coder", "Stage", "Protocol", "StageCategory", *CODE_LABELS)
# properties that hold a scoped id ("" stays "")
_ID_PROPERTIES = {
    "Excerpt": ("interview",),
    "Participant": ("interview",),
    "Stage": ("parent",),
    "StageCategory": ("stage",),
}
_REL_ID_PROPERTIES = {"REPORTED": ("interview",)}


def scoped_id(study: str, local_id: str) -> str:
    """The id of ``local_id`` in ``study``: unchanged in the default study.

    >>> scoped_id("default", "interview-5"), scoped_id("jiang-2024", "interview-5")
    ('interview-5', 'jiang-2024/interview-5')
    """
    return local_id if study == DEFAULT_STUDY or not local_id else f"{study}/{local_id}"


def scope(graph: GraphData, study: str) -> None:
    """Mark every row of ``graph`` (one study's build) with ``study``, and prefix its ids when the
    study is not the default one (in place)."""
    for label in STUDY_LABELS:
        table = graph.nodes.get(label, {})
        for key, row in table.items():
            table[key] = {**row, "study": study}
    if study == DEFAULT_STUDY:
        return
    graph.read_held()  # every id changes
    for label in SCOPED_LABELS & set(graph.nodes):
        table = graph.nodes[label]
        props = _ID_PROPERTIES.get(label, ())
        scoped: dict[str, dict[str, Any]] = {}
        for key, row in table.items():
            row = dict(row)  # copied, not edited: the unscoped table stays whole until it is replaced
            row["id"] = scoped_id(study, key)
            for prop in props:
                row[prop] = scoped_id(study, row[prop])
            scoped[row["id"]] = row
        graph.nodes[label] = scoped
    for rel, table in list(graph.rels.items()):
        props = _REL_ID_PROPERTIES.get(rel, ())
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in table.values():
            row = dict(row)
            if row["srcLabel"] in SCOPED_LABELS:
                row["src"] = scoped_id(study, row["src"])
            if row["dstLabel"] in SCOPED_LABELS:
                row["dst"] = scoped_id(study, row["dst"])
            for prop in props:
                row[prop] = scoped_id(study, row[prop])
            values = [value for name, value in row.items() if name not in ("src", "dst", "srcLabel", "dstLabel")]
            rows[((row["srcLabel"], row["src"]), (row["dstLabel"], row["dst"]), *values)] = row
        graph.rels[rel] = rows
    graph.fragment_keys = {scoped_id(study, iid): key for iid, key in graph.fragment_keys.items()}

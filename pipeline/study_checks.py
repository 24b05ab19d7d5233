"""What ``check`` says about several studies: stages mapped onto no reference stage, and codes
whose likely match in another study has no crosswalk row."""

from __future__ import annotations

from challenge_graph.graph.code_matches import CodeRef, likely_matches
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import CODE_LABELS, DEFAULT_STUDY

__all__ = ["code_refs", "unmapped_stages", "unmatched_codes"]


def unmapped_stages(graph: GraphData) -> list[str]:
    """One note per stage with no mapping onto the reference taxonomy."""
    mapped = {row["src"] for row in graph.rel_rows("MAPS_TO")}
    notes = []
    for stage in graph.node_rows("Stage"):
        if stage["id"] not in mapped:
            where = "codebook" if stage["study"] == DEFAULT_STUDY else f"study {stage['study']!r}: codebook"
            local = stage["id"].split("/", 1)[-1] if stage["study"] != DEFAULT_STUDY else stage["id"]
            notes.append(f"{where}: stage {local!r} maps onto no stage of the reference taxonomy (add maps_to)")
    return notes


def code_refs(graph: GraphData) -> list[CodeRef]:
    return [
        CodeRef(row["study"], row["code"], row["name"], label, row["description"])
        for label in CODE_LABELS
        for row in graph.node_rows(label)
    ]


def unmatched_codes(graph: GraphData, cutoff: float = 0.6) -> list[str]:
    """One note per likely match between two studies' codes that no crosswalk row relates."""
    related = {frozenset((row["src"], row["dst"])) for row in graph.rel_rows("MATCHES")}
    ids = {(row["study"], row["code"]): row["id"] for label in CODE_LABELS for row in graph.node_rows(label)}
    notes = []
    for match in likely_matches(code_refs(graph), cutoff):
        pair = frozenset((ids[(match.a.study, match.a.code)], ids[(match.b.study, match.b.code)]))
        if pair not in related:
            notes.append(
                f"crosswalk: {match.a.study}/{match.a.code} and {match.b.study}/{match.b.code} are likely related "
                f"({match.why}) but no crosswalk row says so (challenge-graph crosswalk suggest)"
            )
    return notes

"""How node kinds look, the same in the dashboard, HTML exports and images."""

from __future__ import annotations

__all__ = ["KIND_COLOURS", "KIND_ORDER", "RELATION_LABELS", "node_size", "stage_columns"]

KIND_ORDER = ("Stage", "Challenge", "Fix", "Practice", "Participant", "Tool")

# a colour-blind-safe palette (Okabe-Ito), one colour per node kind
KIND_COLOURS = {
    "Stage": "#0072B2",
    "Challenge": "#D55E00",
    "Fix": "#009E73",
    "Practice": "#56B4E9",
    "Participant": "#CC79A7",
    "Tool": "#E69F00",
}
RELATION_LABELS = {
    "AT_STAGE": "at stage",
    "ADDRESSES": "addresses",
    "REPORTED": "reported",
    "MENTIONS": "mentions",
    "CO_OCCURS": "co-occurs",
    "PART_OF": "part of",
    "NEXT": "next",
}


def node_size(evidence: int, smallest: float = 12, step: float = 4, largest: float = 48) -> float:
    """A node's size from the evidence behind it, growing with the square root.

    >>> node_size(0), node_size(9), node_size(10_000)
    (12, 24.0, 48)
    """
    return smallest if evidence <= 0 else min(largest, smallest + step * evidence**0.5)


def stage_columns(graph, keep_empty: bool = False) -> list[tuple[str, list[tuple[str, float]]]]:
    """Stages in workflow order with what stands under each: its codes (most evidence first) and,
    indented (0.16), the fixes under the challenge they address. Stages with nothing under them
    are left out unless ``keep_empty`` (or no stage has anything)."""
    stages = sorted(
        (n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"),
        key=lambda n: (graph.nodes[n].get("position", 0), graph.nodes[n]["label"]),
    )
    fixes_of: dict[str, list[str]] = {}
    for src, dst, d in graph.edges(data=True):
        if d["relation"] == "ADDRESSES":
            fixes_of.setdefault(dst, []).append(src)
    placed_fixes = {f for fs in fixes_of.values() for f in fs}
    columns = []
    for stage in stages:
        codes = [
            p
            for p in graph.predecessors(stage)
            if graph.nodes[p]["kind"] in ("Challenge", "Practice", "Fix") and p not in placed_fixes
        ]
        codes.sort(
            key=lambda n: (
                KIND_ORDER.index(graph.nodes[n]["kind"]),
                -graph.nodes[n]["evidence"],
                graph.nodes[n]["label"],
            )
        )
        entries: list[tuple[str, float]] = []
        for code in codes:
            entries.append((code, 0.0))
            entries.extend((fix, 0.16) for fix in sorted(fixes_of.get(code, []), key=lambda n: graph.nodes[n]["label"]))
        columns.append((stage, entries))
    with_content = [c for c in columns if c[1]]
    return columns if keep_empty else with_content or columns

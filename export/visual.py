"""How node kinds look, the same in the dashboard, HTML exports and images."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KIND_COLOURS",
    "KIND_ORDER",
    "RELATION_LABELS",
    "RELATION_STYLES",
    "Fonts",
    "FONTS",
    "fonts_for",
    "node_size",
    "stage_columns",
]

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
# how a relation's lines look in images (colour, width in pt, dashes), named in the legend
RELATION_STYLES = {
    "ADDRESSES": ("#009E73", 1.6, "solid"),
    "REPORTED": ("#CC79A7", 1.0, "solid"),
    "MENTIONS": ("#E69F00", 1.0, "dotted"),
    "CO_OCCURS": ("#D55E00", 1.2, "dashed"),
    "AT_STAGE": ("#0072B2", 1.0, "solid"),
    "PART_OF": ("#0072B2", 1.0, "dashdot"),
    "NEXT": ("#9aa0a6", 1.0, "solid"),
}


@dataclass(frozen=True)
class Fonts:
    """Font sizes (pt) of one image size: title, label (body text: node names, stage headers),
    quote, note (legend, footer, citations, "and N more"); the narrowest column, in characters
    of the label font, without and with quotes."""

    title: float
    label: float
    quote: float
    note: float
    min_chars: int
    min_chars_quoted: int

    @property
    def smallest(self) -> float:
        return min(self.title, self.label, self.quote, self.note)


# legible by construction: at slide size (16:9, 13.33 x 7.5 in) nothing under 12 pt and body text
# 18 pt (a room's back row); in a journal column (3.5 in) or on a page (7 in) nothing under 7 pt
FONTS = {
    "slide": Fonts(28, 18, 18, 13, 17, 27),
    "page": Fonts(14, 10, 9.5, 7.5, 17, 27),
    "column": Fonts(10, 8, 7.5, 7, 15, 24),
}


def fonts_for(size: str | tuple[float, float]) -> Fonts:
    """The fonts of a named size, or of the named size a custom width (inches) comes closest to.

    >>> fonts_for("slide").label, fonts_for((7.0, 4.0)).label, fonts_for((3.0, 2.0)).smallest
    (18, 10, 7)
    """
    if isinstance(size, str):
        return FONTS[size]
    width = size[0]
    return FONTS["slide"] if width >= 10 else FONTS["page"] if width >= 5 else FONTS["column"]


def node_size(evidence: int, smallest: float = 12, step: float = 4, largest: float = 48) -> float:
    """A node's size from the evidence behind it, growing with the square root.

    >>> node_size(0), node_size(9), node_size(10_000)
    (12, 24.0, 48)
    """
    return smallest if evidence <= 0 else min(largest, smallest + step * evidence**0.5)


def stage_columns(graph, keep_empty: bool = False) -> list[tuple[str, list[tuple[str, float]]]]:
    """Stages in workflow order (study by study) with what stands under each: its codes (most evidence first) and,
    indented (0.16), the fixes under the challenge they address. Stages with nothing under them
    are left out unless ``keep_empty`` (or no stage has anything)."""
    stages = sorted(
        (n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"),
        # each study's stages together, in its workflow order
        key=lambda n: (graph.nodes[n].get("study", ""), graph.nodes[n].get("position", 0), graph.nodes[n]["label"]),
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

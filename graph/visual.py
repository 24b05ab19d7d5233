"""How node kinds look, the same in the dashboard, HTML exports and images."""
from __future__ import annotations

__all__ = ["KIND_COLOURS", "RELATION_LABELS", "node_size"]

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
    "AT_STAGE": "at stage", "ADDRESSES": "addresses", "REPORTED": "reported",
    "MENTIONS": "mentions", "CO_OCCURS": "co-occurs", "PART_OF": "part of", "NEXT": "next",
}


def node_size(evidence: int, smallest: float = 12, step: float = 4, largest: float = 48) -> float:
    """A node's size from the evidence behind it, growing with the square root.

    >>> node_size(0), node_size(9), node_size(10_000)
    (12, 24.0, 48)
    """
    return smallest if evidence <= 0 else min(largest, smallest + step * evidence ** 0.5)

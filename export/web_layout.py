"""Where each node of the interactive view stands, computed before the first paint.

Stage views (the workflow, a stage) read left to right in workflow order: a column per stage
with its codes under it, most evidence first, each fix under the challenge it addresses, and
participants and tools in a band below. Other views (a challenge, a participant) list the centre
first and then the nodes by kind and evidence, in columns. Every label gets a slot of its own,
sized for ``FONT``, and the whole layout is ``COLUMNS`` slots wide, so fitted into a frame about
as wide the labels read at about their own size.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import networkx as nx

from challenge_graph.export.visual import KIND_ORDER, stage_columns

__all__ = ["FONT", "COLUMNS", "SLOT", "Layout", "web_layout", "label_lines"]

FONT = 15  # px at scale 1
COLUMNS = 4
SLOT = 250  # a column's width
BOX = SLOT - 30  # a label box's width
LINE = FONT * 1.35
GAP = 10
_CHARS = int((BOX - 12) / (FONT * 0.52))  # characters per line, a wide average glyph
_MAX_LINES = 3


@dataclass
class Layout:
    positions: dict[str, tuple[float, float]]
    lines: dict[str, list[str]]
    width: float
    height: float
    stage_rows: bool = False  # codes stand under their stages


def label_lines(label: str) -> list[str]:
    """A label wrapped at spaces into at most three lines (words whole; a word longer than a line
    and a fourth line are cut with an ellipsis)."""
    lines = textwrap.wrap(label, _CHARS, break_long_words=False, break_on_hyphens=False) or [""]
    lines = [line if len(line) <= _CHARS else line[: _CHARS - 1] + "…" for line in lines]
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES]
        lines[-1] = lines[-1][: _CHARS - 1].rstrip() + "…"
    return lines


def web_layout(graph: nx.DiGraph) -> Layout:
    """Positions (box centres) of every node of ``graph`` and the size of the whole layout."""
    lines = {n: label_lines(d["label"]) for n, d in graph.nodes(data=True)}
    height = {n: len(ls) * LINE + 10 for n, ls in lines.items()}
    positions: dict[str, tuple[float, float]] = {}
    top, by_stage = 0.0, False
    if graph.graph.get("centre") in ("workflow", "stage", None) and any(
        d["kind"] == "Stage" for _, d in graph.nodes(data=True)
    ):
        top, by_stage = _stage_rows(graph, height, positions), True
    rest = [n for n in _by_kind(graph) if n not in positions]
    if rest:
        top = _newspaper(rest, height, positions, top + (3 * GAP if positions else 0))
    return Layout(positions, lines, COLUMNS * SLOT, top, by_stage)


def _by_kind(graph: nx.DiGraph) -> list[str]:
    centre = graph.graph.get("centre_node")
    return sorted(
        graph.nodes,
        key=lambda n: (
            n != centre,
            KIND_ORDER.index(graph.nodes[n]["kind"]),
            -graph.nodes[n]["evidence"],
            graph.nodes[n]["label"],
        ),
    )


def _stage_rows(graph: nx.DiGraph, height: dict[str, float], positions: dict) -> float:
    """Stage columns in workflow order, ``COLUMNS`` to a row; a row with room to spare splits
    its longest columns so the slots are used. Returns the bottom of the last row."""
    columns = stage_columns(graph, keep_empty=True)
    top = 0.0
    for start in range(0, len(columns), COLUMNS):
        row = [[(stage, 0.0)] + entries for stage, entries in columns[start : start + COLUMNS]]
        while len(row) < COLUMNS:
            longest = max(range(len(row)), key=lambda i: sum(height[n] + GAP for n, _ in row[i]))
            if len(row[longest]) < 8:
                break
            half = (len(row[longest]) + 1) // 2
            row[longest : longest + 1] = [row[longest][:half], row[longest][half:]]
        bottom = top
        for c, column in enumerate(row):
            y = top
            for node, indent in column:
                positions[node] = (c * SLOT + SLOT / 2 + indent * 100, y + height[node] / 2)
                y += height[node] + GAP
            bottom = max(bottom, y)
        top = bottom + 2 * GAP
    return top


def _newspaper(nodes: list[str], height: dict[str, float], positions: dict, top: float) -> float:
    """``nodes`` in reading order down ``COLUMNS`` columns of about equal height."""
    total = sum(height[n] + GAP for n in nodes)
    target = max(total / COLUMNS, max(height[n] + GAP for n in nodes))
    column, y, bottom = 0, top, top
    for node in nodes:
        if y - top + height[node] > target + 1e-6 and y > top and column < COLUMNS - 1:
            column, y = column + 1, top
        positions[node] = (column * SLOT + SLOT / 2, y + height[node] / 2)
        y += height[node] + GAP
        bottom = max(bottom, y)
    return bottom

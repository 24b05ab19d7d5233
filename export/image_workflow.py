"""The ``workflow`` image layout: stages left to right in workflow order (in rows when they do not
fit), each stage's challenges and practices under it, most evidence first, each fix right under
the challenge it addresses; participants and tools in a band at the bottom.

The fonts are fixed by the image size (:data:`visual.FONTS`), so the text is legible by
construction; the layout chooses the arrangement of rows and columns that shows the most, and
what does not fit is left out in order of evidence and said ("and 9 more at this stage").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
from matplotlib.patches import FancyBboxPatch

from challenge_graph.export.image_geometry import Marks, shorten, text_width, wrap
from challenge_graph.export.visual import KIND_COLOURS, KIND_ORDER, Fonts, stage_columns

__all__ = ["Drawn", "draw_workflow", "LINE"]

LINE = 1.22  # line height, in font sizes
GREY = "#5f6368"


@dataclass
class Drawn:
    """What a layout drew: every text (for overlap and line checks), where each drawn node's
    marker stands, and the nodes left out by reason."""

    texts: list = field(default_factory=list)
    placed: dict = field(default_factory=dict)
    left_out: Counter = field(default_factory=Counter)
    labels: int = 0

    def label(self, ax, node, x, y, text, size, kind="", **style):
        """A node's label: its SVG group is ``node-<n>-<kind>``, so the drawn nodes can be counted."""
        item = ax.text(x, y, text, fontsize=size, linespacing=1.1, zorder=3, **style)
        item.set_gid(f"node-{self.labels}-{kind}")
        self.labels += 1
        self.texts.append(item)
        return item

    def note(self, ax, x, y, text, size, role="note", **style):
        item = ax.text(x, y, text, fontsize=size, linespacing=1.1, zorder=3, **style)
        item.set_gid(f"{role}-{len(self.texts)}")
        self.texts.append(item)
        return item


def _h(lines: float, font: float) -> float:
    return lines * font * LINE / 72


@dataclass
class _Group:
    """A column's worth of codes: a stage's, or the codes without a stage next to the centre."""

    title: str
    node: str | None  # the stage (None: a group that is not a node)
    blocks: list  # [[(node, indent), ...], ...]: a challenge with the fixes under it
    evidence: int


# --- the plan: rows, spans and what fits ---------------------------------------------------------
def draw_workflow(ax, graph: nx.DiGraph, box, fonts: Fonts, marks: Marks) -> Drawn:
    left, bottom, right, top = box
    drawn = Drawn()
    groups = _groups(graph, drawn.left_out)
    band = [n for n, d in graph.nodes(data=True) if d["kind"] in ("Participant", "Tool")]
    band_h = _h(2, fonts.label) + _h(1, fonts.note) + 0.15 if band else 0.0
    if band and top - bottom - band_h < 2 * (_h(3, fonts.label) + _h(1, fonts.note)):
        drawn.left_out["with less evidence"] += len(band)  # no room for them and the codes too
        band, band_h = [], 0.0
    quoted = any(graph.nodes[n].get("quote") for g in groups for b in g.blocks for n, _ in b)
    width, height = right - left, top - bottom - band_h
    rows, dropped = _plan(graph, groups, width, height, fonts, quoted)
    y_top = top
    for row in rows:
        used = sum(span for _, span in row.groups) * row.col_w
        x = left + (width - used) / 2  # a row narrower than the image stands in the middle
        for group, span in row.groups:
            _draw_group(ax, graph, group, (x, y_top, span, row.col_w, row.height), fonts, marks, drawn)
            x += span * row.col_w
        y_top -= row.height
    for group in dropped:
        drawn.left_out["with less evidence"] += sum(len(b) for b in group.blocks) + (group.node is not None)
    if band:
        _band(ax, graph, band, (left, bottom, right, bottom + band_h), fonts, marks, drawn)
    _links(graph, drawn.placed, marks)
    return drawn


def _groups(graph: nx.DiGraph, left_out: Counter) -> list[_Group]:
    groups = []
    placed = set()
    for stage, entries in stage_columns(graph):
        blocks: list[list] = []
        for node, indent in entries:
            if indent == 0 or not blocks:
                blocks.append([])
            blocks[-1].append((node, indent))
            placed.add(node)
        evidence = sum(graph.nodes[n]["evidence"] for n, _ in entries)
        groups.append(_Group(_stage_title(graph, stage), stage, blocks, evidence))
        placed.add(stage)
    stages = [n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"]
    left_out["stages with no codes"] += sum(1 for s in stages if s not in placed)
    codes = [n for n, d in graph.nodes(data=True) if d["kind"] in ("Challenge", "Fix", "Practice") and n not in placed]
    centre = graph.graph.get("centre_node")
    if centre in graph and (centre in placed or graph.nodes[centre]["kind"] != "Stage"):
        near = {n: _weight(graph, centre, n) for n in codes if _edges(graph, centre, n)}
        order = sorted(near, key=lambda n: (-max(near[n], graph.nodes[n]["evidence"]), graph.nodes[n]["label"]))
        if centre in codes:  # the centre has no stage: it heads the group
            order.insert(0, centre)
        if order:
            co = any(graph.edges[e]["relation"] == "CO_OCCURS" for n in near for e in _edges(graph, centre, n))
            title = f"Co-occurring with {graph.nodes[centre]['label']}" if co else "Not at a stage"
            groups.append(_Group(title, None, [[(n, 0.0)] for n in order], sum(near.values())))
            codes = [n for n in codes if n not in order]
    left_out["codes without a stage"] += len(codes)
    return groups


def _edges(graph, a, b):
    return [e for e in ((a, b), (b, a)) if graph.has_edge(*e)]


def _weight(graph, a, b) -> int:
    return max(graph.edges[e].get("weight", 0) for e in _edges(graph, a, b))


@dataclass
class _Row:
    groups: list  # [(group, span), ...]
    col_w: float
    shown: int
    height: float = 0.0


def _plan(graph, groups: list[_Group], width: float, height: float, fonts: Fonts, quoted: bool):
    """The rows (groups in workflow order, a number of columns each) that show the most nodes,
    fewer rows on a tie; when even the most rows hold too few columns, the groups with least
    evidence are left out. Returns the rows and the groups left out."""
    chars = fonts.min_chars_quoted if quoted else fonts.min_chars
    min_col = chars * fonts.label * 0.55 / 72 + 0.35
    per_row_max = max(1, int(width // min_col))
    min_row = _header_h("Xx", 9, fonts) + _h(1, fonts.label) + _h(1, fonts.note) + 0.3
    rows_max = max(1, int(height // min_row))
    kept = sorted(groups, key=lambda g: -g.evidence)[: per_row_max * rows_max]
    while True:  # groups that would show nothing make room for the others, least evidence first
        kept = [g for g in groups if g in kept]
        rows = _arrange(graph, kept, per_row_max, rows_max, width, height, min_col, fonts)
        empty = [
            g
            for row in rows
            for g, s in row.groups
            if g.blocks and not _fit(graph, g, s, row.col_w, row.height, fonts)[0]
        ]
        if not empty or len(kept) == 1:
            break
        kept.remove(min(reversed(kept), key=lambda g: g.evidence))
    return rows, [g for g in groups if g not in kept]


def _arrange(graph, kept, per_row_max: int, rows_max: int, width: float, height: float, min_col: float, fonts):
    """Rows of ``kept`` in order, split where it shows most (dynamic programming per row count)."""
    best: tuple[int, list] = (-1, [])
    n = len(kept)
    for n_rows in range(1, min(n, rows_max) + 1):
        if math.ceil(n / n_rows) > per_row_max:
            continue
        row_h = height / n_rows
        table: dict[tuple[int, int], tuple[int, list]] = {(0, 0): (0, [])}  # (rows, groups) -> best
        for j in range(1, n_rows + 1):
            for i in range(j, n + 1):
                options = []
                for k in range(1, min(per_row_max, i) + 1):
                    if (j - 1, i - k) in table:
                        row = _row(graph, kept[i - k : i], per_row_max, width, min_col, row_h, fonts)
                        shown, rows = table[(j - 1, i - k)]
                        options.append((shown + row.shown, [*rows, row]))
                if options:
                    table[(j, i)] = max(options, key=lambda o: o[0])
        if (n_rows, n) in table and table[(n_rows, n)][0] > best[0]:
            best = table[(n_rows, n)]
    rows = best[1]
    for row, h in zip(rows, _share([_need(graph, row, height, fonts) for row in rows], height)):
        row.height = h
    return rows


def _row(graph, groups, per_row_max: int, width: float, min_col: float, row_h: float, fonts: Fonts) -> _Row:
    """Columns for each group of a row: one each, and the spare ones to the groups that leave
    most out; then as wide as the row allows (up to twice the narrowest)."""
    spans = [1] * len(groups)
    col_w = width / per_row_max
    for _ in range(per_row_max - len(groups)):
        hidden = [_fit(graph, g, s, col_w, row_h, fonts)[1] for g, s in zip(groups, spans)]
        if max(hidden) == 0:
            break
        spans[hidden.index(max(hidden))] += 1
    col_w = min(width / sum(spans), 2 * min_col)
    shown = sum(len(_fit(graph, g, s, col_w, row_h, fonts)[0]) for g, s in zip(groups, spans))
    return _Row(list(zip(groups, spans)), col_w, shown)


def _need(graph, row: _Row, most: float, fonts: Fonts) -> float:
    """The height at which a row shows everything (``most`` if none does)."""
    low, high = 0.0, most
    if any(_fit(graph, g, s, row.col_w, most, fonts)[1] for g, s in row.groups):
        return most
    for _ in range(12):
        mid = (low + high) / 2
        if any(_fit(graph, g, s, row.col_w, mid, fonts)[1] for g, s in row.groups):
            low = mid
        else:
            high = mid
    return high


def _share(needs: list[float], height: float) -> list[float]:
    """Row heights: rows that need less than an equal share keep what they need, the others
    share the rest.

    >>> _share([1, 5, 5], 9)
    [1, 4.0, 4.0]
    """
    fixed: dict[int, float] = {}
    share = height / max(1, len(needs))
    while True:
        free = [i for i in range(len(needs)) if i not in fixed]
        share = (height - sum(fixed.values())) / max(1, len(free))
        small = [i for i in free if needs[i] <= share]
        if not small or len(small) == len(free):
            break
        fixed.update({i: needs[i] for i in small})
    return [fixed.get(i, share) for i in range(len(needs))]


@lru_cache(maxsize=20000)
def _lines(label: str, quote: str, citation: str, room: float, fonts: Fonts):
    label_lines = wrap(label, room, fonts.label)
    quote_lines = shorten(f"“{quote}”", room, fonts.quote, 3 if fonts.label > 8 else 2, "italic") if quote else []
    cite = [f"— {citation}"] if quote and citation else []
    return label_lines, quote_lines, cite


def _entry_lines(graph, node, indent, col_w, fonts: Fonts):
    """The label, quote and citation lines of an entry in a column ``col_w`` wide."""
    data = graph.nodes[node]
    return _lines(data["label"], data.get("quote") or "", data.get("citation") or "", col_w - 0.42 - indent, fonts)


def _entry_h(graph, node, indent, col_w, fonts: Fonts) -> float:
    label, quote, cite = _entry_lines(graph, node, indent, col_w, fonts)
    return _h(len(label), fonts.label) + _h(len(quote), fonts.quote) + _h(len(cite), fonts.note) + 0.08


@lru_cache(maxsize=4096)
def _header_lines(title: str, width: float, fonts: Fonts) -> list[str]:
    return wrap(title, width - 0.3, fonts.label, "bold")


def _header_h(title, width, fonts: Fonts) -> float:
    return _h(len(_header_lines(title, width, fonts)), fonts.label) + 0.12


def _fit(graph, group: _Group, span: int, col_w: float, row_h: float, fonts: Fonts):
    """Where each shown entry of ``group`` goes, [(node, indent, column, y)], and how many are
    left out; blocks (a challenge and its fixes) flow down the columns in order of evidence,
    and a line is kept for "and N more" when not all fit."""
    room = row_h - _header_h(group.title, span * col_w, fonts) - 0.14
    heights = [[_entry_h(graph, n, i, col_w, fonts) for n, i in block] for block in group.blocks]
    total = sum(len(b) for b in group.blocks)

    def attempt(last_room):
        out, col, y = [], 0, 0.0
        for block, hs in zip(group.blocks, heights):
            limit = room if col < span - 1 else last_room
            if y + sum(hs) > limit and y > 0 and col < span - 1:
                col, y = col + 1, 0.0
                limit = room if col < span - 1 else last_room
            for (node, indent), h in zip(block, hs):
                if y + h > limit + 1e-9:
                    return out, False
                out.append((node, indent, col, y))
                y += h
        return out, True

    out, complete = attempt(room)
    if not complete:
        out, _ = attempt(room - _h(1, fonts.note) - 0.04)
    return out, total - len(out)


# --- drawing -------------------------------------------------------------------------------------
def _draw_group(ax, graph, group: _Group, frame, fonts: Fonts, marks: Marks, drawn: Drawn) -> None:
    x, y_top, span, col_w, row_h = frame
    out, hidden = _fit(graph, group, span, col_w, row_h, fonts)
    if not out and group.node is None:
        drawn.left_out["with less evidence"] += hidden
        return
    lines = _header_lines(group.title, span * col_w, fonts)
    head_h = _h(len(lines), fonts.label) + 0.1
    colour = KIND_COLOURS["Stage"] if group.node else "#e8eaed"
    ax.add_patch(
        FancyBboxPatch(
            (x + 0.05, y_top - head_h),
            span * col_w - 0.1,
            head_h,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=colour,
            edgecolor="none",
            zorder=2,
        )
    )
    style = {"va": "top", "fontweight": "bold", "color": "white" if group.node else "#1f2933"}
    if group.node:
        drawn.label(ax, group.node, x + 0.14, y_top - 0.05, "\n".join(lines), fonts.label, "Stage", **style)
        drawn.placed[group.node] = (x + 0.1, y_top - head_h / 2)
    else:
        drawn.note(ax, x + 0.14, y_top - 0.05, "\n".join(lines), fonts.label, role="heading", **style)
    top = y_top - head_h - 0.1
    ends: dict[int, float] = {}
    centre = graph.graph.get("centre_node")
    for node, indent, col, dy in out:
        data = graph.nodes[node]
        label, quote, cite = _entry_lines(graph, node, indent, col_w, fonts)
        mx = x + col * col_w + 0.16 + indent
        y = top - dy
        marks.marker(data, mx, y - fonts.label * 0.6 / 72, fonts.label)
        tx = mx + fonts.label * 0.75 / 72
        weight = "bold" if node == centre else "normal"
        drawn.label(
            ax, node, tx, y, "\n".join(label), fonts.label, data["kind"], va="top", color="#1f2933", fontweight=weight
        )
        y -= _h(len(label), fonts.label)
        if quote:
            drawn.note(ax, tx, y, "\n".join(quote), fonts.quote, "quote", va="top", style="italic", color="#444444")
            y -= _h(len(quote), fonts.quote)
        if cite:
            drawn.note(ax, tx, y, cite[0], fonts.note, "citation", va="top", color=GREY)
            y -= _h(1, fonts.note)
        drawn.placed[node] = (mx, top - dy - fonts.label * 0.6 / 72)
        ends[col] = top - dy - _entry_h(graph, node, indent, col_w, fonts)
    if hidden:
        where = "at this stage" if group.node else "here"
        col = max(ends) if ends else 0
        y = ends.get(col, top)
        drawn.note(ax, x + col * col_w + 0.16, y, f"and {hidden} more {where}", fonts.note, va="top", color=GREY)
        drawn.left_out["with less evidence"] += hidden


def _stage_title(graph, stage) -> str:
    data = graph.nodes[stage]
    parent = data.get("parent")
    parent_label = next(
        (graph.nodes[n]["label"] for n, d in graph.nodes(data=True) if d["kind"] == "Stage" and d["id"] == parent), ""
    )
    title = f"{parent_label} › {data['label']}" if parent_label else data["label"]
    studies = {d.get("study", "") for _, d in graph.nodes(data=True) if d["kind"] == "Stage"}
    return f"{title} ({data['study']})" if len(studies) > 1 and data.get("study") else title  # which study's stage


def _band(ax, graph, band, box, fonts: Fonts, marks: Marks, drawn: Drawn) -> None:
    """Participants and tools below the stages: those linked to a drawn code, most evidence first,
    as many as the width holds, each saying what links it to the codes drawn."""
    left, bottom, right, top = box
    codes = set(drawn.placed)
    links = {n: [c for c in nx.all_neighbors(graph, n) if c in codes] for n in band}
    linked = [n for n in band if links[n]]
    drawn.left_out["not linked to anything drawn"] += len(band) - len(linked)
    linked.sort(key=lambda n: (KIND_ORDER.index(graph.nodes[n]["kind"]), -graph.nodes[n]["evidence"], n))
    x, shown = left + 0.1, 0
    for node in linked:
        data = graph.nodes[node]
        verb = "reported" if data["kind"] == "Participant" else "mentioned with"
        n = len(links[node])
        note = f"{verb} {n} code{'s' if n != 1 else ''} shown"
        label = _band_label(data["label"], fonts.label)
        w = max(max(text_width(line, fonts.label) for line in label), text_width(note, fonts.note))
        w += fonts.label * 0.75 / 72 + 0.3
        if x + w > right:
            break
        y = top - 0.1
        marks.marker(data, x, y - fonts.label * 0.6 / 72, fonts.label)
        tx = x + fonts.label * 0.75 / 72
        drawn.label(ax, node, tx, y, "\n".join(label), fonts.label, data["kind"], va="top", color="#1f2933")
        drawn.note(ax, tx, y - _h(len(label), fonts.label), note, fonts.note, va="top", color=GREY)
        drawn.placed[node] = (x, y - fonts.label * 0.6 / 72)
        x += w
        shown += 1
    drawn.left_out["with less evidence"] += len(linked) - shown


def _band_label(label: str, font: float) -> list[str]:
    """A name on one line, or two when it is long (never inside parentheses)."""
    one = text_width(label, font)
    two = wrap(label, one / 2 + 0.01, font)  # the narrowest two lines, when parentheses allow
    for stretch in range(20):
        if len(two) <= 2:
            break
        two = wrap(label, one / 2 + 0.1 * stretch, font)
    return two if len(label) > 16 and len(two) == 2 else [label]


def _links(graph, placed, marks: Marks) -> None:
    """A fix hangs from the challenge it addresses by an elbow left of the labels. Other links are
    said in words (the band's "reported 3 codes shown", the co-occurring group's heading): lines
    from the band to the columns would cross the labels between."""
    for src, dst, d in graph.edges(data=True):
        if src in placed and dst in placed and d["relation"] == "ADDRESSES":
            (fx, fy), (cx, cy) = placed[src], placed[dst]
            if cx < fx < cx + 0.5 and fy < cy:
                marks.line((cx, cy), (cx, fy), "ADDRESSES")
                marks.line((cx, fy), (fx, fy), "ADDRESSES")

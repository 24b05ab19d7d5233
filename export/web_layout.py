"""Where each node of the interactive view stands, and which lines are drawn, before the first paint.

Every label has a box of its own, wrapped at word boundaries to fit it, and a line is drawn only
where it says something placement does not and can run without crossing another box:

- stage views (the workflow, a stage) read left to right in workflow order: a column per stage,
  headed by the stage, with its codes under it (most evidence first), each fix beside the
  challenge it addresses and each sub-stage in its stage's column under a header of its own;
  arrows join neighbouring stage headers. Around a stage, the participants who reported its
  challenges and the tools their quotes mention stand in a column to the left, joined to the
  challenges by curves;
- a challenge's or a participant's view puts it in the middle and its neighbours, grouped under
  headings (its stage, its fixes, who reported it…; a participant's codes under their stages),
  in a column on each side, every one joined to the centre by a curve.

Curves leave and enter boxes sideways (cubic Béziers forced horizontal, as vis-network draws
them), across a gap wide enough that they clear the boxes above and below. The HTML view
(:mod:`export.html`) follows every line and draws one that would still pass through a box only
while the pointer rests on one of its ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

__all__ = [
    "FONT",
    "LABEL",
    "MAX_WIDTH",
    "ROUNDNESS",
    "Layout",
    "web_layout",
    "label_lines",
    "text_width",
    "box_size",
    "all_boxes",
]

FONT = 15  # px at scale 1
LABEL = 186  # a label's width (vis-network's widthConstraint)
LINE = 15  # a label line's height at FONT (vis-network's)
PAD = 24  # a box's margins and border, around its label (vis-network's bounding box)
BOX = LABEL + PAD  # a box's width
GAP = 9  # between boxes one above the other
LANE = 14  # between a challenge and the fixes beside it
COLUMN_GAP = 30  # between stage columns
MAX_WIDTH = 1160  # the widest layout: fitted into a frame ~925 px wide (a 1,400 px window), labels stay at 11.5 px
ROUNDNESS = 0.85  # of the curves (vis-network's smooth.roundness)
HEADING_FONT = FONT
_MAX_LINES = 3
_KIND_ORDER = ("Stage", "Challenge", "Fix", "Practice", "Participant", "Tool")

# Helvetica's advance widths (per 1,000 em) of the printable ASCII characters; Liberation Sans,
# the Arial and Helvetica of a Linux browser, has the same metrics
_WIDTHS = dict(
    zip(
        map(chr, range(32, 127)),
        map(
            int,
            (
                "278 278 355 556 556 889 667 222 333 333 389 584 278 333 278 278 556 556 556 556 "
                "556 556 556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 "
                "722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 "
                "278 278 469 556 222 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 "
                "556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
            ).split(),
        ),
    )
)


@dataclass
class Layout:
    positions: dict[str, tuple[float, float]]  # box centres
    lines: dict[str, list[str]]  # each label as drawn
    widths: dict[str, float]  # each label's width (a stage header spans its column)
    width: float = 0.0
    height: float = 0.0
    kind: str = "columns"  # "workflow", "stage", "star" or "columns"
    straight: set = field(default_factory=set)  # edges drawn as straight lines
    curves: set = field(default_factory=set)  # edges drawn as horizontal curves
    flow: list = field(default_factory=list)  # (stage, stage): arrows between neighbouring stage columns
    headings: dict = field(default_factory=dict)  # id -> (x, y, text): group headings, drawn as plain text
    notes: list = field(default_factory=list)  # what placement says instead of a line


def text_width(text: str, bold: bool = False, size: float = FONT) -> float:
    """Pixels ``text`` takes at ``size`` (Helvetica metrics; other characters as wide as an M
    at most, East Asian ones a full em)."""
    units = sum(_WIDTHS.get(ch, 1000 if ord(ch) >= 0x1100 else 833) for ch in text)
    return units * size / 1000 * (1.1 if bold else 1.0)


def _pieces(word: str, width: float, bold: bool) -> list[str]:
    """A word too long for a line split after ``_ - / .`` or between a lower and an upper case
    letter, so no line breaks inside a word's own letters; a run with no such place is cut."""
    if text_width(word, bold) <= width:  # (a word has no gap: drawn as measured)
        return [word]
    parts, current = [], ""
    for i, ch in enumerate(word):
        current += ch
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch in "_-/." or (ch.islower() and nxt.isupper()):
            parts.append(current)
            current = ""
    parts.append(current)
    out, line = [], ""
    for part in filter(None, parts):
        if line and text_width(line + part, bold) > width:
            out.append(line)
            line = ""
        line += part
        while text_width(line, bold) > width:  # no place to break: cut the run
            cut = max(1, max(i for i in range(1, len(line) + 1) if text_width(line[:i], bold) <= width))
            out.append(line[:cut])
            line = line[cut:]
    return out + ([line] if line else [])


def label_lines(label: str, width: float = LABEL, bold: bool = False) -> list[str]:
    """``label`` wrapped into lines of at most ``width`` pixels (three at most, the last ending
    in "…" when the label is longer), breaking between words, and inside an identifier only at
    its separators (``ANONYMIZED_DL_`` / ``FRAMEWORK_2``)."""
    room = width - 2  # a hair for glyphs wider than their metrics
    lines: list[str] = []
    line = ""
    for word in label.split():
        for i, piece in enumerate(_pieces(word, room, bold)):
            glue = " " if line and i == 0 else ""
            if line and text_width(line + glue + piece, bold) > room:
                lines.append(line)
                line, glue = "", ""
            line += glue + piece
    lines.append(line)
    if len(lines) > _MAX_LINES:
        last = lines[_MAX_LINES - 1]
        while last and text_width(last + "…", bold) > room:
            last = last[:-1]
        lines = lines[: _MAX_LINES - 1] + [last.rstrip() + "…"]
    return lines


def box_size(layout: Layout, node: str) -> tuple[float, float]:
    """A node's box on the canvas (width, height), as vis-network reports its bounding box."""
    if node in layout.headings:
        return text_width(layout.headings[node][2], bold=True, size=HEADING_FONT) + 12, HEADING_FONT + 12
    return layout.widths[node] + PAD, LINE * len(layout.lines[node]) + PAD


def web_layout(graph: nx.DiGraph) -> Layout:
    """Positions (box centres) of every node of ``graph``, the lines to draw, and the size of
    the whole layout."""
    centre = graph.graph.get("centre")
    has_stages = any(d["kind"] == "Stage" for _, d in graph.nodes(data=True))
    layout = Layout({}, {}, {})
    for node, data in graph.nodes(data=True):
        layout.widths[node] = LABEL
        layout.lines[node] = label_lines(data["label"], bold=data["kind"] == "Stage")
    if centre in ("challenge", "participant") and graph.graph.get("centre_node") in graph:
        _star(graph, layout)
    elif centre == "stage" and graph.graph.get("centre_node") in graph:
        _stage_view(graph, layout)
    elif has_stages:
        _workflow(graph, layout)
    else:
        _newspaper(graph, layout, list(graph.nodes), 0.0, 0.0)
        layout.straight = {(u, v) for u, v in graph.edges}
    left = min((x - box_size(layout, n)[0] / 2 for n, (x, _) in all_boxes(layout)), default=0.0)
    right = max((x + box_size(layout, n)[0] / 2 for n, (x, _) in all_boxes(layout)), default=0.0)
    bottom = max((y + box_size(layout, n)[1] / 2 for n, (_, y) in all_boxes(layout)), default=0.0)
    layout.width, layout.height = right - left, bottom
    return layout


def all_boxes(layout: Layout):
    """(node or heading, centre) of every box of the layout."""
    yield from layout.positions.items()
    yield from ((h, (x, y)) for h, (x, y, _) in layout.headings.items())


def _height(layout: Layout, node: str) -> float:
    return box_size(layout, node)[1]


def _sorted_codes(graph: nx.DiGraph, nodes) -> list[str]:
    return sorted(
        nodes,
        key=lambda n: (
            _KIND_ORDER.index(graph.nodes[n]["kind"]) if graph.nodes[n]["kind"] in _KIND_ORDER else 9,
            -graph.nodes[n]["evidence"],
            graph.nodes[n]["label"],
            n,
        ),
    )


def _stage_key(graph: nx.DiGraph, node: str) -> tuple:
    return (graph.nodes[node].get("study", ""), graph.nodes[node].get("position", 0), graph.nodes[node]["label"], node)


def _root(graph: nx.DiGraph, stage: str) -> str:
    seen = {stage}
    while graph.nodes[stage].get("parent") and (parent := f"Stage:{graph.nodes[stage]['parent']}") in graph:
        if parent in seen:
            break
        stage = parent
        seen.add(stage)
    return stage


@dataclass
class _Column:
    """A stage column: (node, fixes beside it) from top to bottom; its header is the first."""

    rows: list = field(default_factory=list)
    track: str = ""

    def lane(self) -> bool:
        return any(fixes for _, fixes in self.rows)

    def width(self) -> float:
        return 2 * BOX + LANE if self.lane() else BOX


def _stage_columns(graph: nx.DiGraph, roots: list[str], layout: Layout) -> tuple[list[_Column], set[str]]:
    """A column per root stage: the stage, its codes (each challenge with the fixes that address
    it beside it), then each sub-stage with its codes. Returns the columns and the nodes placed."""
    stages = [n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"]
    sections: dict[str, list[str]] = {r: [] for r in roots}
    for stage in sorted(stages, key=lambda s: _stage_key(graph, s)):
        root = _root(graph, stage)
        if root in sections:
            sections[root].append(stage)
    fixes_of: dict[str, list[str]] = {}
    for src, dst, d in graph.edges(data=True):
        if d["relation"] == "ADDRESSES":
            fixes_of.setdefault(dst, []).append(src)
    placed: set[str] = set()
    columns = []
    for root in roots:
        column = _Column(track=graph.nodes[root].get("track", ""))
        for stage in sections[root]:
            column.rows.append((stage, []))
            placed.add(stage)
            codes = [
                p
                for p in graph.predecessors(stage)
                if graph.edges[p, stage]["relation"] == "AT_STAGE" and graph.nodes[p]["kind"] != "Stage"
            ]
            beside = {f for c in codes for f in fixes_of.get(c, [])}
            for code in _sorted_codes(graph, [c for c in codes if c not in placed and c not in beside]):
                fixes = [f for f in _sorted_codes(graph, fixes_of.get(code, [])) if f not in placed]
                column.rows.append((code, fixes))
                placed.update([code, *fixes])
                layout.straight.update((f, code) for f in fixes[:1])
                layout.curves.update((f, code) for f in fixes[1:])
            for code in _sorted_codes(graph, [c for c in codes if c in beside and c not in placed]):
                column.rows.append((code, []))  # a fix at this stage whose challenge stands elsewhere
                placed.add(code)
        columns.append(column)
    return columns, placed


def _place_column(graph: nx.DiGraph, layout: Layout, column: _Column, left: float, top: float, header: float) -> float:
    """Draw ``column`` from ``left``/``top``; its header is ``header`` high. Returns its bottom."""
    head = column.rows[0][0]
    layout.widths[head] = column.width() - PAD
    layout.lines[head] = label_lines(graph.nodes[head]["label"], column.width() - PAD, bold=True)
    layout.positions[head] = (left + column.width() / 2, top + header / 2)
    y = top + header + GAP
    for node, fixes in column.rows[1:]:
        if graph.nodes[node]["kind"] == "Stage":  # a sub-stage's header spans the column
            layout.widths[node] = column.width() - PAD
            layout.lines[node] = label_lines(graph.nodes[node]["label"], column.width() - PAD, bold=True)
            y += GAP
        own = _height(layout, node)
        beside = sum(_height(layout, f) + GAP for f in fixes) - GAP if fixes else 0
        x = left + BOX / 2 if graph.nodes[node]["kind"] != "Stage" else left + column.width() / 2
        layout.positions[node] = (x, y + own / 2)
        fy = y
        for fix in fixes:
            layout.positions[fix] = (left + BOX + LANE + BOX / 2, fy + _height(layout, fix) / 2)
            fy += _height(layout, fix) + GAP
        y += max(own, beside) + GAP
    return y


def _workflow(graph: nx.DiGraph, layout: Layout) -> None:
    """Stage columns in workflow order, packed into rows no wider than ``MAX_WIDTH``; arrows join
    neighbouring stages of a track; what stands at no stage goes in a column at the end."""
    layout.kind = "workflow"
    stages = [n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"]
    roots = sorted({_root(graph, s) for s in stages}, key=lambda s: _stage_key(graph, s))
    columns, placed = _stage_columns(graph, roots, layout)
    top = 0.0
    row: list[_Column] = []

    def flush(row: list[_Column], top: float) -> float:
        header = max(_height(layout, c.rows[0][0]) for c in row)
        x, bottom = 0.0, top
        for column in row:
            bottom = max(bottom, _place_column(graph, layout, column, x, top, header))
            x += column.width() + COLUMN_GAP
        for a, b in zip(row, row[1:]):
            if a.track == b.track and a.track:
                layout.flow.append((a.rows[0][0], b.rows[0][0]))
        return bottom + 2 * GAP

    for column in columns:
        _place_header_lines(graph, layout, column)
        if row and sum(c.width() + COLUMN_GAP for c in row) + column.width() > MAX_WIDTH:
            top = flush(row, top)
            row = []
        row.append(column)
    if row:
        top = flush(row, top)
    rest = [n for n in graph.nodes if n not in placed]
    if rest:
        layout.headings["heading:rest"] = (BOX / 2, top + HEADING_FONT, "Not at a stage")
        _newspaper(graph, layout, rest, top + 2 * HEADING_FONT + GAP, 0.0)
        layout.notes.append("nodes at no stage stand at the bottom")
    layout.notes.append("the workflow reads left to right, row by row")
    layout.notes.append("a code stands under its stage, a sub-stage in its stage's column")
    if any(graph.nodes[n]["kind"] == "Fix" for _, fixes in (r for c in columns for r in c.rows) for n in fixes):
        layout.notes.append("a fix stands beside the challenge it addresses")


def _place_header_lines(graph: nx.DiGraph, layout: Layout, column: _Column) -> None:
    head = column.rows[0][0]
    layout.lines[head] = label_lines(graph.nodes[head]["label"], column.width() - PAD, bold=True)


def _stage_view(graph: nx.DiGraph, layout: Layout) -> None:
    """The stage's column (its codes, fixes beside them, its sub-stages) with the participants
    who reported its challenges and the tools their quotes mention in a column to its left."""
    layout.kind = "stage"
    centre = graph.graph["centre_node"]
    stages = [n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"]
    roots = sorted({_root(graph, s) for s in stages}, key=lambda s: (s != centre, *_stage_key(graph, s)))
    columns, placed = _stage_columns(graph, roots, layout)
    others = [n for n in graph.nodes if n not in placed]
    groups = [
        ("Participants who reported them", [n for n in others if graph.nodes[n]["kind"] == "Participant"]),
        ("Tools their quotes mention", [n for n in others if graph.nodes[n]["kind"] == "Tool"]),
        ("Other", [n for n in others if graph.nodes[n]["kind"] not in ("Participant", "Tool")]),
    ]
    side = _group_items(graph, [(t, ns) for t, ns in groups if ns])
    stage_left = (BOX + _wide_gap(len(columns) and columns[0].width())) if side else 0.0
    x, column_bottom = stage_left, 0.0
    for column in columns:
        _place_header_lines(graph, layout, column)
        column_bottom = max(
            column_bottom, _place_column(graph, layout, column, x, 0.0, _height(layout, column.rows[0][0]))
        )
        x += column.width() + COLUMN_GAP
    side_height = _stack_height(layout, side)
    _stack(layout, side, BOX / 2, max(0.0, (column_bottom - side_height) / 2))
    if side_height > column_bottom:  # the side column is the taller: centre the stage's on it
        shift = (side_height - column_bottom) / 2
        for node in placed:
            px, py = layout.positions[node]
            layout.positions[node] = (px, py + shift)
    for src, dst, d in graph.edges(data=True):
        if d["relation"] in ("REPORTED", "MENTIONS") and (src in placed) != (dst in placed):
            layout.curves.add((src, dst))
    layout.notes.append("a challenge stands under its stage, a sub-stage in its stage's column")
    if any(graph.nodes[n]["kind"] == "Fix" for n in placed):
        layout.notes.append("a fix stands beside the challenge it addresses")


def _wide_gap(middle: float) -> float:
    """The gap curves cross: as wide as the layout allows (they clear the boxes better)."""
    return max(200.0, min(420.0, MAX_WIDTH - BOX - middle))


def _star(graph: nx.DiGraph, layout: Layout) -> None:
    """The centre in the middle; its neighbours grouped under headings in a column on each side,
    each joined to the centre by a curve (a participant's codes grouped under their stages)."""
    layout.kind = "star"
    centre = graph.graph["centre_node"]
    kind = graph.nodes[centre]["kind"]
    rest = [n for n in graph.nodes if n != centre]
    groups: list[tuple[str, list[str]]] = []
    if kind == "Participant":
        stage_of = {
            u: v
            for u, v, d in graph.edges(data=True)
            if d["relation"] == "AT_STAGE" and graph.nodes[v]["kind"] == "Stage" and u != centre
        }
        for stage in sorted({*stage_of.values()}, key=lambda s: _stage_key(graph, s)):
            groups.append((stage, _sorted_codes(graph, [c for c, s in stage_of.items() if s == stage])))
        codes = [n for n in rest if graph.nodes[n]["kind"] in ("Challenge", "Fix", "Practice") and n not in stage_of]
        groups.append(("No stage", _sorted_codes(graph, codes)))
        groups.append(
            ("Tools they mention", _sorted_codes(graph, [n for n in rest if graph.nodes[n]["kind"] == "Tool"]))
        )
        layout.notes.append("a code stands under the stage it is coded at")
    else:
        titles = {
            "Stage": "At stage",
            "Fix": "Addressed by",
            "Challenge": "Coded on the same turns as",
            "Participant": "Reported by",
            "Tool": "Tools its quotes mention",
            "Practice": "Practices",
        }
        for k, title in titles.items():
            groups.append((title, _sorted_codes(graph, [n for n in rest if graph.nodes[n]["kind"] == k])))
    grouped = {n for title, ns in groups for n in ns} | {t for t, _ in groups if t in graph}
    groups.append(("Other", [n for n in rest if n not in grouped]))
    items = _group_items(graph, [(t, ns) for t, ns in groups if ns])
    left, right = _split(layout, items)
    gap = (MAX_WIDTH - 3 * BOX) / 2
    heights = [_stack_height(layout, left), _stack_height(layout, right)]
    tallest = max(heights + [_height(layout, centre)])
    _stack(layout, left, BOX / 2, (tallest - heights[0]) / 2)
    _stack(layout, right, BOX / 2 + 2 * (BOX + gap), (tallest - heights[1]) / 2)
    layout.positions[centre] = (BOX / 2 + BOX + gap, tallest / 2)
    for src, dst in graph.edges:
        if centre in (src, dst):
            layout.curves.add((src, dst))


def _group_items(graph: nx.DiGraph, groups: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """Groups as a sequence of ("heading", text) and ("node", node); a group titled by a node
    (a participant's stage) is headed by that node, as ("title", node)."""
    items = []
    for title, nodes in groups:
        items.append(("title", title) if title in graph else ("heading", title))
        items.extend(("node", n) for n in nodes)
    return items


def _item_height(layout: Layout, item: tuple[str, str]) -> float:
    return HEADING_FONT + 14 if item[0] == "heading" else _height(layout, item[1])


def _stack_height(layout: Layout, items) -> float:
    return sum(_item_height(layout, i) + GAP for i in items) - (GAP if items else 0)


def _split(layout: Layout, items: list) -> tuple[list, list]:
    """``items`` cut into two columns of about equal height, between groups unless that leaves
    one column much the taller (a group cut in two repeats its heading, marked "continued")."""
    tops, y = [], 0.0
    for item in items:
        tops.append(y)
        y += _item_height(layout, item) + GAP
    total = y

    def cost(cut: int) -> float:
        first = tops[cut] if cut < len(items) else total
        between = cut == len(items) or _is_title(items[cut])
        return max(first, total - first) + (0 if between else 4 * (LINE + PAD))

    cut = min(range(1, len(items) + 1), key=cost) if items else 0
    first, second = items[:cut], items[cut:]
    if second and not _is_title(second[0]) and first:  # a group cut in two: its heading again
        title = next(i for i in reversed(first) if _is_title(i))
        text = title[1] if title[0] == "heading" else " ".join(layout.lines[title[1]])
        second.insert(0, ("heading", f"{text} (continued)"))
    return first, second


def _is_title(item: tuple[str, str]) -> bool:
    return item[0] in ("heading", "title")


def _stack(layout: Layout, items, x: float, top: float) -> None:
    y = top
    for n, (what, value) in enumerate(items):
        h = _item_height(layout, (what, value))
        if what == "heading":
            layout.headings[f"heading:{x:.0f}:{n}"] = (x, y + h / 2, value)
        else:
            layout.positions[value] = (x, y + h / 2)
        y += h + GAP


def _newspaper(graph: nx.DiGraph, layout: Layout, nodes: list[str], top: float, left: float, columns: int = 4) -> None:
    """``nodes`` by kind and evidence, in reading order down ``columns`` columns of about equal
    height."""
    nodes = _sorted_codes(graph, nodes)
    total = sum(_height(layout, n) + GAP for n in nodes)
    target = max(total / columns, max((_height(layout, n) + GAP for n in nodes), default=0))
    column, y = 0, top
    for node in nodes:
        if y - top + _height(layout, node) > target + 1e-6 and y > top and column < columns - 1:
            column, y = column + 1, top
        layout.positions[node] = (left + column * (BOX + COLUMN_GAP) + BOX / 2, y + _height(layout, node) / 2)
        y += _height(layout, node) + GAP

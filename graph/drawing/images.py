"""Static images of a network for talks and papers: PNG, SVG or PDF, drawn with matplotlib.

Two layouts:

- ``workflow``: stages left to right in workflow order (a row per track when they do not fit),
  each stage's challenges and practices stacked under it, most evidence first, each fix right
  under the challenge it addresses; participants and tools in a band at the bottom.
- ``force``: a spring layout (networkx) for neighbourhoods that are not about the workflow.

Labels never overlap: in the workflow layout every label has a slot of its own, sized from the
font; in the force layout labels that would collide are moved, or left out and counted.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from challenge_graph.graph.drawing.visual import KIND_COLOURS, RELATION_LABELS, stage_columns  # noqa: E402
from challenge_graph.graph.errors import ChallengeGraphError  # noqa: E402

__all__ = ["SIZES", "IMAGE_FORMATS", "RenderInfo", "render_image"]

# inches: a 16:9 slide, a journal column, a full page width
SIZES = {"slide": (40 / 3, 7.5), "column": (3.5, 3.0), "page": (7.0, 5.0)}
IMAGE_FORMATS = (".png", ".svg", ".pdf")
_KIND_ORDER = ("Stage", "Challenge", "Fix", "Practice", "Participant", "Tool")
_FONT = "DejaVu Sans"
_MASK = {"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.9}  # lines pass under labels


class _Marks:
    """Markers and lines collected while laying out, drawn at the end in a few collections
    (one artist per node or edge made 500-node images several times slower)."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float, float, str]] = []
        self.lines: dict[tuple[str, float, float], list] = {}
        self.arrows: list[
            tuple[tuple[float, float], tuple[float, float], float, float]
        ] = []  # a, b, shrink a, shrink b (pt)

    def segments(self) -> list:
        return [seg for segs in self.lines.values() for seg in segs] + [[a, b] for a, b, _, _ in self.arrows]

    def keep_clear_of(self, rects: list) -> int:
        """Drop every line and arrow that would cross a label (nothing is drawn over text); returns
        how many were dropped."""
        before = len(self.segments())
        for style, segs in self.lines.items():
            self.lines[style] = [s for s in segs if not any(_crosses(s[0], s[1], r) for r in rects)]
        self.arrows = [a for a in self.arrows if not any(_crosses(a[0], a[1], r) for r in rects)]
        return before - len(self.segments())

    def marker(self, data, x: float, y: float, font: float) -> float:
        """Add a node's marker; returns its radius in points."""
        diameter = font * (0.5 + 0.15 * min(data["evidence"], 16) ** 0.5)
        self.points.append((x, y, diameter**2, KIND_COLOURS.get(data["kind"], "#999999")))
        return diameter / 2

    def line(self, a, b, style: tuple[str, float, float]) -> None:
        self.lines.setdefault(style, []).append([a, b])

    def draw(self, ax) -> None:
        for a, b, shrink_a, shrink_b in self.arrows:
            ax.annotate(
                "",
                xy=b,
                xytext=a,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#9aa0a6",
                    "lw": 0.8,
                    "shrinkA": shrink_a,
                    "shrinkB": shrink_b,
                },
            )
        for (colour, width, alpha), segments in self.lines.items():
            ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, alpha=alpha, zorder=1))
        if self.points:
            xs, ys, sizes, colours = zip(*self.points)
            ax.scatter(xs, ys, s=sizes, c=colours, zorder=3, edgecolors="white", linewidths=0.5)


@dataclass(frozen=True)
class RenderInfo:
    """What was drawn: pixel size, labels drawn, labels left out, overlapping label pairs, nodes,
    lines crossing a label (held at zero: such lines are left out)."""

    width_px: int
    height_px: int
    labels: int
    hidden: int
    overlaps: int
    nodes: int
    crossings: int = 0


def render_image(
    graph: nx.DiGraph,
    out: Path,
    layout: str = "workflow",
    size: str | tuple[float, float] = "slide",
    dpi: int = 150,
    title: str = "",
    footer: str = "",
) -> RenderInfo:
    """Draw ``graph`` (from :mod:`queries.network`) into ``out`` (.png, .svg or .pdf).

    Raises
    ------
    ChallengeGraphError
        For an unknown format, layout or size, or an empty graph.
    """
    out = Path(out)
    if out.suffix.lower() not in IMAGE_FORMATS:
        raise ChallengeGraphError(f"{out}: images are {', '.join(IMAGE_FORMATS)}")
    if graph.number_of_nodes() == 0:
        raise ChallengeGraphError("nothing to draw: the selection has no nodes")
    width, height = SIZES[size] if isinstance(size, str) else size
    if layout not in ("workflow", "force"):
        raise ChallengeGraphError(f"unknown layout {layout!r} (workflow or force)")
    small = width < 5
    with plt.rc_context({"font.family": _FONT, "svg.fonttype": "none", "pdf.fonttype": 42}):
        fig = plt.figure(figsize=(width, height), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        frame: list = []  # title, legend and footer: checked for overlaps with the rest
        top = _header(ax, graph, width, height, title, small, frame)
        bottom = 0.32 if not small else 0.2
        marks = _Marks()
        if layout == "workflow" and any(d["kind"] == "Stage" for _, d in graph.nodes(data=True)):
            texts, hidden = _workflow(ax, graph, (0.15, bottom, width - 0.15, top), small, marks)
        else:
            texts, hidden = _force(fig, ax, graph, (0.15, bottom, width - 0.15, top), small, marks)
        rects = _text_rects(fig, texts)
        marks.keep_clear_of(rects)
        crossings = sum(_crosses(a, b, r) for a, b in marks.segments() for r in rects)
        marks.draw(ax)
        note = f" · {hidden} labels left out to avoid overlap" if hidden else ""
        frame.append(
            _fitted(
                ax,
                0.15,
                0.08 if not small else 0.05,
                footer + note,
                7 if not small else 4.5,
                width - 0.3,
                color="#666666",
                va="bottom",
            )
        )
        overlaps = _count_overlaps(fig, texts + frame)  # text extents need no drawing
        fig.savefig(out, dpi=dpi, format=out.suffix[1:].lower())
        plt.close(fig)
    return RenderInfo(
        round(width * dpi), round(height * dpi), len(texts), hidden, overlaps, graph.number_of_nodes(), crossings
    )


# --- header: title and legend -----------------------------------------------------------------
def _header(ax, graph: nx.DiGraph, width: float, height: float, title: str, small: bool, texts: list):
    """Title (shrunk, then wrapped, to fit the width) and legend; returns where content starts."""
    renderer = ax.figure.canvas.get_renderer()
    dpi = ax.figure.dpi
    kinds = [k for k in _KIND_ORDER if any(d["kind"] == k for _, d in graph.nodes(data=True))]
    font = 6 if small else 10
    legend_w = sum(len(k) * font * 0.62 / 72 + font * 2.6 / 72 for k in kinds)
    y = height - (0.12 if small else 0.25)
    bottom_of_title = y
    if title:
        room = width - 0.3 - (0 if small else legend_w + 0.3)
        size = 9.0 if small else 17.0
        text = ax.text(0.15, y, title, fontsize=size, fontweight="bold", va="top", color="#1f2933")
        while text.get_window_extent(renderer).width / dpi > room and size > 6:
            size -= 0.5
            text.set_fontsize(size)
        if text.get_window_extent(renderer).width / dpi > room:
            text.set_text(
                "\n".join(
                    textwrap.wrap(
                        title,
                        max(10, int(len(title) * room * dpi / text.get_window_extent(renderer).width)),
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )
            )
        texts.append(text)
        bottom_of_title = y - text.get_window_extent(renderer).height / dpi
    legend_y = bottom_of_title - 0.08 if small else y
    x = width - 0.15
    for kind in reversed(kinds):  # right to left, measuring each label
        label = ax.text(x, legend_y, kind, fontsize=font, va="top", ha="right", color="#333333")
        texts.append(label)
        x -= label.get_window_extent(renderer).width / dpi + font * 0.95 / 72  # the marker clear of its word
        ax.scatter([x], [legend_y - font * 0.6 / 72], s=(font * 0.9) ** 2, color=KIND_COLOURS[kind], zorder=3)
        x -= font * 1.6 / 72
    return min(legend_y - font * 1.4 / 72, bottom_of_title) - (0.12 if small else 0.3)


def _fitted(ax, x: float, y: float, text: str, size: float, room: float, **style):
    """A line of text shrunk (to 70%) and then wrapped so it stays within ``room`` inches."""
    renderer = ax.figure.canvas.get_renderer()
    item = ax.text(x, y, text, fontsize=size, **style)
    smallest = size * 0.7
    while item.get_window_extent(renderer).width / ax.figure.dpi > room and item.get_fontsize() > smallest:
        item.set_fontsize(item.get_fontsize() - 0.25)
    width = item.get_window_extent(renderer).width / ax.figure.dpi
    if width > room:
        item.set_text(
            "\n".join(
                textwrap.wrap(
                    text, max(10, int(len(text) * room / width)), break_long_words=False, break_on_hyphens=False
                )
            )
        )
    return item


# --- workflow layout --------------------------------------------------------------------------
def _workflow(ax, graph: nx.DiGraph, box: tuple[float, float, float, float], small: bool, marks: _Marks):
    left, bottom, right, top = box
    columns = stage_columns(graph)
    band = [n for n, d in graph.nodes(data=True) if d["kind"] in ("Participant", "Tool")]
    band_h = 0.0 if not band else (0.45 if small else 0.8)
    per_row = max(1, min(len(columns), int((right - left) / (1.05 if small else 1.4))))
    rows = _rows_by_track(graph, columns, per_row)
    per_row = max(len(row) for row in rows)
    col_w = min((right - left) / per_row, 1.7 if small else 3.4)
    offset = left + ((right - left) - col_w * per_row) / 2  # few columns stand in the middle
    font, heights = _fit_font(graph, rows, col_w, top - bottom - band_h, small)
    texts, hidden, placed = [], 0, {}
    row_top = top
    for row, area_h in zip(rows, heights):
        for c, (stage, entries) in enumerate(row):
            x = offset + c * col_w
            y, h = _stage_box(ax, graph, stage, x, row_top, col_w, font, texts)
            placed[stage] = (x + 0.08, y + h / 2)
            y -= 0.08
            for node, indent in entries:
                lines = _wrap(graph.nodes[node]["label"], col_w - 0.22 - indent, font)
                quote = _quote_lines(graph.nodes[node], col_w - 0.22 - indent, font)
                need = (len(lines) + len(quote) * 0.85) * font * 1.25 / 72 + 0.03
                if y - need < row_top - area_h - 1e-6:
                    hidden += 1
                    continue
                mx = x + 0.12 + indent
                marks.marker(graph.nodes[node], mx, y - font * 0.62 / 72, font)
                texts.append(
                    ax.text(
                        mx + font * 0.9 / 72,
                        y,
                        "\n".join(lines),
                        fontsize=font,
                        va="top",
                        color="#1f2933",
                        linespacing=1.15,
                        zorder=3,
                        bbox=_MASK,
                    )
                )
                if quote:
                    texts.append(
                        ax.text(
                            mx + font * 0.9 / 72,
                            y - len(lines) * font * 1.25 / 72,
                            "\n".join(quote),
                            fontsize=font * 0.85,
                            va="top",
                            style="italic",
                            color="#555555",
                            linespacing=1.15,
                            zorder=3,
                            bbox=_MASK,
                        )
                    )
                placed[node] = (mx, y - font * 0.62 / 72)
                y -= need
        row_top -= area_h
    if band:
        band_top = min(row_top, bottom + band_h + (top - bottom) * 0.25)
        band_texts, band_hidden = _band(
            ax,
            graph,
            band,
            (left, band_top - band_h, right, band_top),
            placed,
            small,
            max(font * 0.8, 5.0 if small else 8.0),
            marks,
        )
        texts += band_texts
        hidden += band_hidden
    _links(graph, placed, marks)
    return texts, hidden


def _rows_by_track(graph: nx.DiGraph, columns, per_row: int):
    """Rows of at most ``per_row`` columns that start a new row where a track starts, if it fits."""
    rows: list[list] = [[]]
    for track in dict.fromkeys(graph.nodes[stage].get("track", "") for stage, _ in columns):
        block = [c for c in columns if graph.nodes[c[0]].get("track", "") == track]
        if rows[-1] and len(rows[-1]) + len(block) > per_row:
            rows.append([])
        for column in block:
            if len(rows[-1]) == per_row:
                rows.append([])
            rows[-1].append(column)
    return rows


def _fit_font(graph, rows, col_w: float, height: float, small: bool) -> tuple[float, list[float]]:
    """One font for the whole image, the largest (down to a floor) at which every row fits, and
    each row's height at that font (rows share what is left over in proportion)."""
    font = 9.0 if small else 16.0
    floor = 4.5 if small else 6.5
    while True:
        needed = [max(_column_height(graph, st, en, col_w, font) for st, en in row) + 0.15 for row in rows]
        if sum(needed) <= height or font <= floor:
            break
        font -= 0.5
    if sum(needed) <= height:
        return font, needed
    return font, [height / len(rows)] * len(rows)  # at the floor: each row shows what fits, the rest is counted


def _column_height(graph, stage, entries, col_w: float, font: float) -> float:
    if not _words_fit(_stage_title(graph, stage), col_w - 0.25, font + 0.5) or not all(
        _words_fit(graph.nodes[n]["label"], col_w - 0.22 - indent, font) for n, indent in entries
    ):
        return float("inf")  # a smaller font, rather than words broken in the middle
    header = len(_wrap(_stage_title(graph, stage), col_w - 0.25, font + 0.5)) * (font + 0.5) * 1.25 / 72 + 0.18
    return header + sum(
        (
            len(_wrap(graph.nodes[n]["label"], col_w - 0.22 - indent, font))
            + 0.85 * len(_quote_lines(graph.nodes[n], col_w - 0.22 - indent, font))
        )
        * font
        * 1.25
        / 72
        + 0.03
        for n, indent in entries
    )


def _quote_lines(data, width_in: float, font: float) -> list[str]:
    """The node's quote (present only when exports ask for quotes), wrapped in quotation marks."""
    quote = data.get("quote")
    return _wrap(f"“{quote}”", width_in, font * 0.85) if quote else []


def _stage_box(ax, graph, stage, x, y, col_w, font, texts):
    label = "\n".join(_wrap(_stage_title(graph, stage), col_w - 0.25, font + 0.5))
    lines = label.count("\n") + 1
    h = lines * (font + 0.5) * 1.25 / 72 + 0.1
    ax.add_patch(
        FancyBboxPatch(
            (x + 0.04, y - h),
            col_w - 0.12,
            h,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=KIND_COLOURS["Stage"],
            edgecolor="none",
            zorder=2,
        )
    )
    texts.append(
        ax.text(
            x + 0.12,
            y - 0.05,
            label,
            fontsize=font + 0.5,
            va="top",
            color="white",
            fontweight="bold",
            zorder=3,
            linespacing=1.15,
        )
    )
    return y - h, h


def _stage_title(graph, stage) -> str:
    data = graph.nodes[stage]
    parent = data.get("parent")
    parent_label = next(
        (graph.nodes[n]["label"] for n, d in graph.nodes(data=True) if d["kind"] == "Stage" and d["id"] == parent), ""
    )
    return f"{parent_label} › {data['label']}" if parent_label else data["label"]


def _band(ax, graph, band, box, placed, small, font, marks: _Marks):
    """Participants and tools in a row below the stages: as many as have room, most evidence first."""
    left, bottom, right, top = box
    band.sort(
        key=lambda n: (_KIND_ORDER.index(graph.nodes[n]["kind"]), -graph.nodes[n]["evidence"], graph.nodes[n]["label"])
    )
    room = max(1, int((right - left) / (0.9 if small else 1.3)))
    shown, hidden = band[:room], len(band) - min(room, len(band))
    slot = min((right - left) / len(shown), 1.2 if small else 2.6)
    start = left + ((right - left) - slot * len(shown)) / 2
    texts = []
    for i, node in enumerate(shown):
        x = start + i * slot + 0.1
        y = top - 0.12
        marks.marker(graph.nodes[node], x, y, font)
        size = font  # a long word shrinks its own label rather than being broken
        while not _words_fit(graph.nodes[node]["label"], slot - 0.3, size) and size > 4:
            size -= 0.25
        lines = _wrap(graph.nodes[node]["label"], slot - 0.3, size)[:3]
        texts.append(
            ax.text(
                x + font * 0.9 / 72, y + font * 0.62 / 72, "\n".join(lines), fontsize=size, va="top", color="#1f2933"
            )
        )
        placed[node] = (x, y)
    return texts, hidden


def _links(graph, placed, marks: _Marks) -> None:
    """Links between placed nodes; a fix hangs from its challenge by an elbow left of the labels."""
    for src, dst, d in graph.edges(data=True):
        if src in placed and dst in placed and d["relation"] in ("ADDRESSES", "REPORTED", "MENTIONS", "CO_OCCURS"):
            (fx, fy), (cx, cy) = placed[src], placed[dst]
            if d["relation"] == "ADDRESSES" and cx < fx < cx + 0.5 and fy < cy:
                marks.line((cx, cy), (cx, fy), ("#009E73", 0.9, 0.8))
                marks.line((cx, fy), (fx, fy), ("#009E73", 0.9, 0.8))
                continue
            style = ("#009E73", 0.9, 0.8) if d["relation"] == "ADDRESSES" else ("#9aa0a6", 0.4, 0.35)
            marks.line(placed[src], placed[dst], style)


def _chars(width_in: float, font: float) -> int:
    return max(6, int(width_in * 72 / (font * 0.68)))  # a wide average glyph, so lines stay inside


def _wrap(label: str, width_in: float, font: float) -> list[str]:
    """Wrap at spaces, never inside a word (a word longer than the line stands on a line of its own)."""
    return textwrap.wrap(label, _chars(width_in, font), break_long_words=False, break_on_hyphens=False) or [""]


def _words_fit(label: str, width_in: float, font: float) -> bool:
    return max((len(w) for w in label.split()), default=0) <= _chars(width_in, font)


# --- force layout -----------------------------------------------------------------------------
def _force(fig, ax, graph, box, small, marks: _Marks):
    left, bottom, right, top = box
    pos = nx.spring_layout(graph, seed=7, k=1.6 / max(1, graph.number_of_nodes()) ** 0.5, iterations=100)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    margin = 0.6 if not small else 0.25

    def place(p):
        return (
            left + margin + (p[0] - min(xs)) / span_x * (right - left - 2 * margin),
            bottom + margin * 0.6 + (p[1] - min(ys)) / span_y * (top - bottom - margin * 1.2),
        )

    xy = {n: place(p) for n, p in pos.items()}
    font = 5.5 if small else 9.0
    few = graph.number_of_edges() <= 15
    radius = {node: marks.marker(data, *xy[node], font * 1.4) for node, data in graph.nodes(data=True)}
    if graph.number_of_edges() <= 60:  # arrows while they can be told apart; plain lines beyond
        for src, dst, _ in graph.edges(data=True):  # arrowheads stop at the marker's edge
            marks.arrows.append((xy[src], xy[dst], radius[src] + 1.5, radius[dst] + 1.5))
    else:
        for src, dst, _ in graph.edges(data=True):
            marks.line(xy[src], xy[dst], ("#9aa0a6", 0.5, 0.5))
    order = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["evidence"], graph.nodes[n]["label"]))
    candidates = [
        (n, "\n".join(_wrap(graph.nodes[n]["label"], 1.8 if not small else 1.0, font)[:3]), xy[n]) for n in order
    ]
    if few:
        candidates += [
            (
                None,
                RELATION_LABELS.get(d["relation"], d["relation"]),
                ((xy[s][0] + xy[t][0]) / 2, (xy[s][1] + xy[t][1]) / 2),
            )
            for s, t, d in graph.edges(data=True)
        ]
    return _place_labels(fig, ax, candidates, {n: xy[n] for n in graph.nodes}, font, marks.segments())


def _place_labels(fig, ax, candidates, points, font, segments=()):
    """Put each label at the first of 24 spots around its point that collides with no placed
    label, no node, no line and stays inside; labels with no free spot are left out and counted."""
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    inside = ax.bbox
    grid = _Grid(cell=60)
    lines: dict[tuple[int, int], list] = {}  # the cells each line passes through
    for a, b in segments:
        pa, pb = to_px(a), to_px(b)
        steps = max(1, int(max(abs(pb[0] - pa[0]), abs(pb[1] - pa[1])) / 20))
        for key in {
            (int((pa[0] + (pb[0] - pa[0]) * t / steps) // 60), int((pa[1] + (pb[1] - pa[1]) * t / steps) // 60))
            for t in range(steps + 1)
        }:
            for i in (-1, 0, 1):
                for j in (-1, 0, 1):
                    lines.setdefault((key[0] + i, key[1] + j), []).append((pa, pb))
    radius = font * 0.6 * fig.dpi / 72
    for node, (x, y) in points.items():
        px, py = to_px((x, y))
        grid.add((px - radius, py - radius, px + radius, py + radius), owner=node)
    texts, hidden = [], 0
    near = ((0.12, 0), (-0.12, 0), (0, 0.14), (0, -0.14), (0.12, 0.16), (0.12, -0.16), (-0.12, 0.16), (-0.12, -0.16))
    spots = [(dx * k, dy * k) for k in (1, 1.8, 2.6) for dx, dy in near]  # further out when lines are in the way
    for node, label, (x, y) in candidates:
        size = font if node else font * 0.8
        text = ax.text(
            x, y, label, fontsize=size, ha="left", va="center", color="#1f2933" if node else "#777777", zorder=4
        )
        extent = text.get_window_extent(renderer)  # measured once; spots are computed from it
        w, h = extent.width * 1.03, extent.height * 1.08
        for dx, dy in spots:
            ax_, ay_ = to_px((x + dx, y + dy))
            x0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w / 2
            rect = (x0, ay_ - h / 2, x0 + w, ay_ + h / 2)
            if (
                inside.x0 <= rect[0]
                and rect[2] <= inside.x1
                and inside.y0 <= rect[1]
                and rect[3] <= inside.y1
                and not grid.hits(rect, ignore=node)
                and not any(_crosses(pa, pb, rect) for key in grid._keys(rect) for pa, pb in lines.get(key, ()))
            ):
                text.set_position((x + dx, y + dy))
                text.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0 else "center")
                grid.add(rect, owner=None)
                texts.append(text)
                break
        else:
            text.remove()
            hidden += 1
    return texts, hidden


def _text_rects(fig, texts) -> list[tuple[float, float, float, float]]:
    """Each label's box in inches (the axes span the figure: data units are inches)."""
    renderer, dpi = fig.canvas.get_renderer(), fig.dpi
    rects = []
    for text in texts:
        if text.get_text().strip():
            b = text.get_window_extent(renderer)
            rects.append((b.x0 / dpi, b.y0 / dpi, b.x1 / dpi, b.y1 / dpi))
    return rects


def _crosses(a, b, rect) -> bool:
    """Whether segment a-b passes through the rectangle (x0, y0, x1, y1) (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - rect[0]), (dx, rect[2] - x0), (-dy, y0 - rect[1]), (dy, rect[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


class _Grid:
    """Rectangles bucketed by cell, so a collision check looks at neighbours only."""

    def __init__(self, cell: float) -> None:
        self.cell, self.cells = cell, {}

    def _keys(self, rect):
        c = self.cell
        return [
            (i, j)
            for i in range(int(rect[0] // c), int(rect[2] // c) + 1)
            for j in range(int(rect[1] // c), int(rect[3] // c) + 1)
        ]

    def add(self, rect, owner) -> None:
        for key in self._keys(rect):
            self.cells.setdefault(key, []).append((rect, owner))

    def hits(self, rect, ignore=None) -> bool:
        for key in self._keys(rect):
            for other, owner in self.cells.get(key, ()):
                if owner is not None and owner == ignore:
                    continue
                if rect[0] < other[2] and other[0] < rect[2] and rect[1] < other[3] and other[1] < rect[3]:
                    return True
        return False


def _count_overlaps(fig, texts) -> int:
    """Pairs of drawn labels whose boxes overlap (the tests hold this at zero)."""
    renderer = fig.canvas.get_renderer()
    grid, count = _Grid(cell=80), 0
    for text in texts:
        if not text.get_text().strip():
            continue
        b = text.get_window_extent(renderer)
        rect = (b.x0, b.y0, b.x1, b.y1)
        count += grid.hits(rect)
        grid.add(rect, owner=None)
    return count

"""Static images of a network for talks and papers: PNG, SVG or PDF, drawn with matplotlib.

Two layouts:

- ``workflow``: stages left to right in workflow order (in as many rows as show the most), each
  stage's challenges and practices stacked under it, most evidence first, each fix right under the
  challenge it addresses; participants and tools in a band at the bottom.
- ``force``: a spring layout (networkx) for neighbourhoods that are not about the workflow.

The fonts are fixed by the size (:data:`visual.FONTS`: 18 pt body text on a slide, nothing under
7 pt in a column), so an image is legible by construction; what does not fit is left out, most
evidence kept, and the footer counts the nodes drawn and why the rest are not. Labels never
overlap and no line crosses a label.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402

from challenge_graph.export.image_force import draw_force  # noqa: E402
from challenge_graph.export.image_geometry import (  # noqa: E402
    FONT,
    Marks,
    count_overlaps,
    crosses,
    shorten,
    text_rects,
    wrap,
)
from challenge_graph.export.image_workflow import LINE, draw_workflow  # noqa: E402
from challenge_graph.export.visual import (  # noqa: E402
    KIND_COLOURS,
    KIND_ORDER,
    RELATION_LABELS,
    RELATION_STYLES,
    Fonts,
    fonts_for,
)
from challenge_graph.graph.errors import ChallengeGraphError  # noqa: E402

__all__ = ["SIZES", "IMAGE_FORMATS", "RenderInfo", "render_image"]

# inches: a 16:9 slide, a journal column, a full page width
SIZES = {"slide": (40 / 3, 7.5), "column": (3.5, 3.0), "page": (7.0, 5.0)}
IMAGE_FORMATS = (".png", ".svg", ".pdf")


@dataclass(frozen=True)
class RenderInfo:
    """What was drawn: pixel size, texts drawn, nodes left out for lack of room (``hidden``),
    overlapping text pairs, nodes drawn, lines crossing a text (held at zero: such lines are left
    out), nodes of the graph, the nodes left out by reason, the footer as drawn and the smallest
    font (pt)."""

    width_px: int
    height_px: int
    labels: int
    hidden: int
    overlaps: int
    nodes: int
    crossings: int = 0
    total: int = 0
    left_out: tuple[tuple[str, int], ...] = ()
    footer: str = ""
    smallest_font: float = 0.0


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

    Fonts are fixed by the size (:data:`visual.FONTS`): what does not fit is left out, most
    evidence first kept, and the footer counts the nodes drawn ("drawn: 13 of 38 nodes (left
    out: ...)") before ``footer``. Only the kinds of the legend are drawn (:data:`KIND_ORDER`);
    ``graph.graph["total"]`` (set by ``limit_nodes``) counts nodes cut before the drawing.

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
    if isinstance(size, str) and size not in SIZES:
        raise ChallengeGraphError(f"unknown size {size!r} ({', '.join(SIZES)})")
    width, height = SIZES[size] if isinstance(size, str) else size
    if layout not in ("workflow", "force"):
        raise ChallengeGraphError(f"unknown layout {layout!r} (workflow or force)")
    fonts = fonts_for(size)
    total = max(graph.graph.get("total", 0), graph.number_of_nodes())
    drawable = graph.subgraph(n for n, d in graph.nodes(data=True) if d.get("kind") in KIND_ORDER)
    not_drawn = Counter(d.get("kind", "?") for n, d in graph.nodes(data=True) if n not in drawable)
    # names and quotes are text, never TeX: "$x^2$" in a code name is drawn as written
    with plt.rc_context({"font.family": FONT, "svg.fonttype": "none", "pdf.fonttype": 42, "text.parse_math": False}):
        fig = plt.figure(figsize=(width, height), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        margin = 0.25 if width >= 10 else 0.12
        frame: list = []  # title, legend and footer: checked for overlaps with the rest
        top = _title(ax, title, width, height, margin, fonts, frame) if title else height - margin
        footer_lines = 2 if width >= 5 else 3
        bottom = margin + _h(footer_lines, fonts.note) + _legend_h(drawable, width - 2 * margin, fonts) + 0.1
        box = (margin, bottom, width - margin, top - 0.1)
        marks = Marks()
        if layout == "workflow" and any(d["kind"] == "Stage" for _, d in drawable.nodes(data=True)):
            drawn = draw_workflow(ax, drawable, box, fonts, marks)
        else:
            drawn = draw_force(fig, ax, drawable, box, fonts, marks)
        rects = text_rects(fig, drawn.texts)
        marks.keep_clear_of(rects)
        crossings = sum(crosses(a, b, r) for a, b in marks.segments() for r in rects)
        marks.draw(ax)
        kinds = [k for k in KIND_ORDER if any(drawable.nodes[n]["kind"] == k for n in drawn.placed)]
        _legend(
            ax, kinds, marks.relations(), (margin, margin + _h(footer_lines, fonts.note), width - margin), fonts, frame
        )
        left_out = Counter({k: v for k, v in drawn.left_out.items() if v})
        if total > graph.number_of_nodes():
            left_out["beyond the node limit"] = total - graph.number_of_nodes()
        for kind, count in sorted(not_drawn.items()):
            left_out[f"{kind.lower()} codes"] = count
        said = _count_line(len(drawn.placed), total, left_out)
        footer_text = " · ".join(part for part in (said, footer) if part)
        lines = wrap(footer_text, width - 2 * margin, fonts.note)
        if len(lines) > footer_lines:  # the count of what is drawn comes first, whole
            lines = wrap(said, width - 2 * margin, fonts.note)
        item = ax.text(margin, margin, "\n".join(lines), fontsize=fonts.note, va="bottom", color="#5f6368")
        item.set_gid("footer")
        frame.append(item)
        texts = drawn.texts + frame
        overlaps = count_overlaps(fig, texts)  # text extents need no drawing
        smallest = min(t.get_fontsize() for t in texts if t.get_text().strip())
        fig.savefig(out, dpi=dpi, format=out.suffix[1:].lower())
        plt.close(fig)
    return RenderInfo(
        round(width * dpi),
        round(height * dpi),
        len(texts),
        left_out["with less evidence"],
        overlaps,
        len(drawn.placed),
        crossings,
        total,
        tuple(left_out.items()),
        footer_text,
        smallest,
    )


def _count_line(drawn: int, total: int, left_out: Counter) -> str:
    """The footer's count of what is drawn, and why the rest is not.

    >>> _count_line(13, 38, Counter({"with less evidence": 20, "stages with no codes": 5}))
    'drawn: 13 of 38 nodes (left out: 20 with less evidence, 5 stages with no codes)'
    >>> _count_line(2, 3, Counter({"stages with no codes": 1}))
    'drawn: 2 of 3 nodes (left out: 1 stage with no codes)'
    """
    said = f"drawn: {drawn} of {total} nodes"
    reasons = ", ".join(
        f"{count} {_singular(reason) if count == 1 else reason}" for reason, count in left_out.items() if count
    )
    return f"{said} (left out: {reasons})" if reasons else said


def _singular(reason: str) -> str:
    """The reason for one node: "stage with no codes", "question code".

    >>> _singular("stages with no codes"), _singular("question codes"), _singular("with less evidence")
    ('stage with no codes', 'question code', 'with less evidence')
    """
    words = reason.split(" ")
    for i, word in enumerate(words):
        if word in ("stages", "codes", "nodes"):
            words[i] = word[:-1]
            break
    return " ".join(words)


def _h(lines: float, font: float) -> float:
    return lines * font * LINE / 72


# --- frame: title, legend ------------------------------------------------------------------------
def _title(ax, title: str, width: float, height: float, margin: float, fonts: Fonts, frame: list) -> float:
    """The title, shrunk (to 6/7 of its size), then wrapped to two lines; returns where it ends."""
    renderer = ax.figure.canvas.get_renderer()
    dpi = ax.figure.dpi
    room = width - 2 * margin
    text = ax.text(margin, height - margin, title, fontsize=fonts.title, fontweight="bold", va="top", color="#1f2933")
    text.set_gid("title")
    while text.get_window_extent(renderer).width / dpi > room and text.get_fontsize() > fonts.title * 6 / 7:
        text.set_fontsize(text.get_fontsize() - 0.5)
    if text.get_window_extent(renderer).width / dpi > room:
        text.set_text("\n".join(shorten(title, room, text.get_fontsize() * 1.1, 2)))
    frame.append(text)
    return height - margin - text.get_window_extent(renderer).height / dpi - 0.1


_LEGEND_RELATIONS = ("AT_STAGE", "PART_OF", "ADDRESSES", "REPORTED", "MENTIONS", "CO_OCCURS")


def _legend_items(kinds, relations) -> list[tuple[str, str]]:
    return [("kind", k) for k in kinds] + [("line", r) for r in _LEGEND_RELATIONS if r in relations]


def _legend_rows(items, room: float, fonts: Fonts) -> list[list]:
    rows: list[list] = [[]]
    used = 0.0
    for item in items:
        w = _legend_w(item, fonts)
        if rows[-1] and used + w > room:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += w
    return rows


def _legend_w(item, fonts: Fonts) -> float:
    kind, name = item
    text = name if kind == "kind" else RELATION_LABELS[name]
    return len(text) * fonts.note * 0.62 / 72 + (fonts.note * 1.4 if kind == "kind" else fonts.note * 2.6) / 72 + 0.2


def _legend_h(graph: nx.DiGraph, room: float, fonts: Fonts) -> float:
    """The legend's height at most (every kind and line the graph could show)."""
    kinds = [k for k in KIND_ORDER if any(d["kind"] == k for _, d in graph.nodes(data=True))]
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    return len(_legend_rows(_legend_items(kinds, relations), room, fonts)) * _h(1.2, fonts.note)


def _legend(ax, kinds, relations, box, fonts: Fonts, frame: list) -> None:
    """What the colours and lines mean: only the kinds and lines drawn."""
    left, bottom, right = box
    rows = _legend_rows(_legend_items(kinds, relations), right - left, fonts)
    y = bottom + len(rows) * _h(1.2, fonts.note)
    for row in rows:
        x = left
        for kind, name in row:
            mid = y - _h(0.6, fonts.note)
            if kind == "kind":
                ax.scatter([x + fonts.note * 0.45 / 72], [mid], s=(fonts.note * 0.9) ** 2, color=KIND_COLOURS[name])
                gap = fonts.note * 1.4 / 72
                text = name
            else:
                colour, lw, dashes = RELATION_STYLES[name]
                ax.plot([x, x + fonts.note * 2 / 72], [mid, mid], color=colour, lw=lw * 1.5, linestyle=dashes)
                gap = fonts.note * 2.6 / 72
                text = RELATION_LABELS[name]
            label = ax.text(x + gap, y, text, fontsize=fonts.note, va="top", color="#333333")
            label.set_gid(f"legend-{len(frame)}")
            frame.append(label)
            x += _legend_w((kind, name), fonts)
        y -= _h(1.2, fonts.note)

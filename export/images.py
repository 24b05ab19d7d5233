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

from challenge_graph.export.image_force import draw_force  # noqa: E402
from challenge_graph.export.image_geometry import FONT, Marks, count_overlaps, crosses, text_rects  # noqa: E402
from challenge_graph.export.image_workflow import draw_workflow  # noqa: E402
from challenge_graph.export.visual import KIND_COLOURS, KIND_ORDER  # noqa: E402
from challenge_graph.graph.errors import ChallengeGraphError  # noqa: E402

__all__ = ["SIZES", "IMAGE_FORMATS", "RenderInfo", "render_image"]

# inches: a 16:9 slide, a journal column, a full page width
SIZES = {"slide": (40 / 3, 7.5), "column": (3.5, 3.0), "page": (7.0, 5.0)}
IMAGE_FORMATS = (".png", ".svg", ".pdf")


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
    # names and quotes are text, never TeX: "$x^2$" in a code name is drawn as written
    with plt.rc_context({"font.family": FONT, "svg.fonttype": "none", "pdf.fonttype": 42, "text.parse_math": False}):
        fig = plt.figure(figsize=(width, height), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        frame: list = []  # title, legend and footer: checked for overlaps with the rest
        top = _header(ax, graph, width, height, title, small, frame)
        bottom = 0.32 if not small else 0.2
        marks = Marks()
        if layout == "workflow" and any(d["kind"] == "Stage" for _, d in graph.nodes(data=True)):
            texts, hidden = draw_workflow(ax, graph, (0.15, bottom, width - 0.15, top), small, marks)
        else:
            texts, hidden = draw_force(fig, ax, graph, (0.15, bottom, width - 0.15, top), small, marks)
        rects = text_rects(fig, texts)
        marks.keep_clear_of(rects)
        crossings = sum(crosses(a, b, r) for a, b in marks.segments() for r in rects)
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
        overlaps = count_overlaps(fig, texts + frame)  # text extents need no drawing
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
    kinds = [k for k in KIND_ORDER if any(d["kind"] == k for _, d in graph.nodes(data=True))]
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

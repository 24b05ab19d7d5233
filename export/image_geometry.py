"""What every image layout shares: markers and lines gathered and drawn at the end, label wrapping
by font size, and the geometry that keeps lines off labels and labels off each other."""

from __future__ import annotations

import textwrap

from matplotlib.collections import LineCollection

from challenge_graph.export.visual import KIND_COLOURS

__all__ = ["FONT", "MASK", "Marks", "Grid", "crosses", "text_rects", "count_overlaps", "wrap", "words_fit"]


FONT = "DejaVu Sans"


MASK = {"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.9}  # lines pass under labels


class Marks:
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
            self.lines[style] = [s for s in segs if not any(crosses(s[0], s[1], r) for r in rects)]
        self.arrows = [a for a in self.arrows if not any(crosses(a[0], a[1], r) for r in rects)]
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


def _chars(width_in: float, font: float) -> int:
    return max(6, int(width_in * 72 / (font * 0.68)))  # a wide average glyph, so lines stay inside


def wrap(label: str, width_in: float, font: float) -> list[str]:
    """Wrap at spaces, never inside a word (a word longer than the line stands on a line of its own)."""
    return textwrap.wrap(label, _chars(width_in, font), break_long_words=False, break_on_hyphens=False) or [""]


def words_fit(label: str, width_in: float, font: float) -> bool:
    return max((len(w) for w in label.split()), default=0) <= _chars(width_in, font)


def text_rects(fig, texts) -> list[tuple[float, float, float, float]]:
    """Each label's box in inches (the axes span the figure: data units are inches)."""
    renderer, dpi = fig.canvas.get_renderer(), fig.dpi
    rects = []
    for text in texts:
        if text.get_text().strip():
            b = text.get_window_extent(renderer)
            rects.append((b.x0 / dpi, b.y0 / dpi, b.x1 / dpi, b.y1 / dpi))
    return rects


def crosses(a, b, rect) -> bool:
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


class Grid:
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


def count_overlaps(fig, texts) -> int:
    """Pairs of drawn labels whose boxes overlap (the tests hold this at zero)."""
    renderer = fig.canvas.get_renderer()
    grid, count = Grid(cell=80), 0
    for text in texts:
        if not text.get_text().strip():
            continue
        b = text.get_window_extent(renderer)
        rect = (b.x0, b.y0, b.x1, b.y1)
        count += grid.hits(rect)
        grid.add(rect, owner=None)
    return count

"""What every image layout shares: markers and lines gathered and drawn at the end, label wrapping
by font size, and the geometry that keeps lines off labels and labels off each other."""

from __future__ import annotations

import re
from functools import lru_cache

from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from challenge_graph.export.visual import KIND_COLOURS, RELATION_STYLES

__all__ = [
    "FONT",
    "MASK",
    "Marks",
    "Grid",
    "crosses",
    "text_rects",
    "count_overlaps",
    "wrap",
    "words_fit",
    "shorten",
    "text_width",
]


FONT = "DejaVu Sans"


MASK = {"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.9}  # lines pass under labels


class Marks:
    """Markers and lines collected while laying out, drawn at the end in a few collections
    (one artist per node or edge made 500-node images several times slower). Lines are kept by
    relation, so the legend names only the kinds of line that are drawn."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float, float, str]] = []
        self.lines: dict[str, list] = {}  # relation -> segments

    def segments(self) -> list:
        return [seg for segs in self.lines.values() for seg in segs]

    def relations(self) -> list[str]:
        """The relations with at least one line to draw."""
        return [r for r, segs in self.lines.items() if segs]

    def keep_clear_of(self, rects: list) -> int:
        """Drop every line that would cross a label (nothing is drawn over text); returns how
        many were dropped."""
        before = len(self.segments())
        for relation, segs in self.lines.items():
            self.lines[relation] = [s for s in segs if not any(crosses(s[0], s[1], r) for r in rects)]
        return before - len(self.segments())

    def marker(self, data, x: float, y: float, font: float) -> float:
        """Add a node's marker; returns its radius in points."""
        diameter = font * (0.5 + 0.15 * min(data["evidence"], 16) ** 0.5)
        self.points.append((x, y, diameter**2, KIND_COLOURS.get(data["kind"], "#999999")))
        return diameter / 2

    def line(self, a, b, relation: str) -> None:
        self.lines.setdefault(relation, []).append([a, b])

    def draw(self, ax) -> None:
        for relation, segments in self.lines.items():
            colour, width, dashes = RELATION_STYLES.get(relation, ("#9aa0a6", 0.8, "solid"))
            if segments:
                ax.add_collection(
                    LineCollection(segments, colors=colour, linewidths=width, linestyles=dashes, alpha=0.8, zorder=1)
                )
        if self.points:
            xs, ys, sizes, colours = zip(*self.points)
            dots = ax.scatter(xs, ys, s=sizes, c=colours, zorder=3, edgecolors="white", linewidths=0.5)
            dots.set_gid("markers")  # one <use> per node in an SVG: the tests count them


_FACES = {"normal": {}, "bold": {"weight": "bold"}, "italic": {"style": "italic"}}


@lru_cache(maxsize=4096)
def _advance(char: str, face: str) -> float:
    """A character's advance in em of the image font (no kerning: DejaVu's is slight)."""
    font = _ft2font(face)
    try:
        return font.load_char(ord(char)).linearHoriAdvance / 65536 / 100
    except (RuntimeError, ValueError):  # a character the font lacks: a wide one
        return 1.0


@lru_cache(maxsize=3)
def _ft2font(face: str):
    font = FT2Font(findfont(FontProperties(family=FONT, **_FACES[face])))
    font.set_size(100, 72)
    return font


def text_width(text: str, font: float, face: str = "normal") -> float:
    """Width in inches of one line of ``text`` at ``font`` pt, with 3% to spare.

    >>> round(text_width("Fix: unstable provider", 18), 2)
    2.81
    """
    return sum(_advance(c, face) for c in text) * font / 72 * 1.03


_IN_PARENTHESES = re.compile(r"\([^()]{1,24}\)")  # a short aside: "(Interview 30)", "(QM)"


def _tokens(text: str) -> list[str]:
    """Words, a short group in parentheses counting as one ("(Interview 30)" is never broken).

    >>> _tokens("Interviewee (Interview 30) said")
    ['Interviewee', '(Interview 30)', 'said']
    """
    kept = _IN_PARENTHESES.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)
    return [t.replace("\u00a0", " ") for t in kept.split(" ") if t]


def wrap(label: str, width_in: float, font: float, face: str = "normal") -> list[str]:
    """Wrap at spaces, by the width of the text itself, never inside a word nor inside
    parentheses; a word longer than the line stands on a line of its own.

    >>> wrap("Interviewee (Interview 30)", 1.6, 10)
    ['Interviewee', '(Interview 30)']
    """
    lines: list[str] = []
    for token in _tokens(label):
        if lines and text_width(f"{lines[-1]} {token}", font, face) <= width_in:
            lines[-1] = f"{lines[-1]} {token}"
        else:
            lines.append(token)
    return lines or [""]


def shorten(text: str, width_in: float, font: float, lines: int, face: str = "normal") -> list[str]:
    """``text`` wrapped to at most ``lines`` lines, cut at a word and ended with "…" if longer.

    >>> shorten("one two three four five six seven", 1.0, 10, 2)
    ['one two three', 'four five six…']
    """
    wrapped = wrap(text, width_in, font, face)
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    last = kept[-1]
    while " " in last and text_width(last + "…", font, face) > width_in:
        last = last.rsplit(" ", 1)[0]
    kept[-1] = last.rstrip(" ,.;:-–") + "…"
    return kept


def words_fit(label: str, width_in: float, font: float, face: str = "normal") -> bool:
    return all(text_width(t, font, face) <= width_in for t in _tokens(label))


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

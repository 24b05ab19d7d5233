"""A talk deck of a study: an overview slide (corpus counts and challenges per stage), a slide
per workflow stage with evidence (its challenges, most evidence first, and how many more), and a
slide per top challenge with its best quotes, cited.

The content (:class:`Deck`) is gathered by the caller from the graph's queries; this module lays
each slide out once, in inches at 13.33 x 7.5 (16:9), with fonts that a room can read (titles
32 pt, body 20 pt, nothing under 14 pt), and writes the same layout as PowerPoint (native,
editable text boxes, shapes and a chart: :mod:`export.deck_pptx`) or PDF (a page a slide:
:mod:`export.deck_pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from challenge_graph.export.image_geometry import shorten, text_width, wrap
from challenge_graph.graph.errors import ChallengeGraphError

__all__ = [
    "Deck",
    "StageSlide",
    "ChallengeSlide",
    "Quote",
    "Item",
    "Box",
    "DECK_FONTS",
    "SLIDE",
    "layout",
    "write_deck",
]

SLIDE = (40 / 3, 7.5)  # inches, 16:9
DECK_FONTS = {"title": 32, "subtitle": 20, "body": 20, "quote": 20, "small": 14}
MARGIN = 0.6
LINE = 1.2
INK, GREY, ACCENT, CHALLENGE = "#1f2933", "#5f6368", "#0072B2", "#D55E00"


@dataclass(frozen=True)
class Quote:
    text: str
    cite: str  # "Interview 10, p. 6"


@dataclass(frozen=True)
class Item:
    """A challenge on a stage's slide: its name, participants and quotes behind it."""

    label: str
    participants: int
    quotes: int


@dataclass(frozen=True)
class StageSlide:
    title: str
    items: list[Item]  # most evidence first; the slide shows what fits and says how many more


@dataclass(frozen=True)
class ChallengeSlide:
    title: str
    stage: str
    participants: int
    quotes: int
    best: list[Quote]  # 2-3, the best first


@dataclass(frozen=True)
class Deck:
    title: str
    counts: list[tuple[str, int]]  # ("interviews", 3), ...
    per_stage: list[tuple[str, int]]  # challenges at each stage, workflow order
    stages: list[StageSlide] = field(default_factory=list)
    challenges: list[ChallengeSlide] = field(default_factory=list)
    footer: str = ""


@dataclass(frozen=True)
class Box:
    """One thing on a slide, in inches from the top left: a text (lines already broken, so both
    writers break them alike), a bar, or the per-stage chart."""

    kind: str  # "text", "bar" or "chart"
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...] = ()
    size: float = 0
    bold: bool = False
    italic: bool = False
    colour: str = INK
    role: str = "body"  # title, subtitle, body, quote, small


def write_deck(deck: Deck, out: Path) -> int:
    """Write ``deck`` as ``out`` (.pptx or .pdf); returns the number of slides."""
    out = Path(out)
    slides = layout(deck)
    if out.suffix.lower() == ".pptx":
        from challenge_graph.export.deck_pptx import write_pptx

        write_pptx(slides, deck, out)
    elif out.suffix.lower() == ".pdf":
        from challenge_graph.export.deck_pdf import write_pdf

        write_pdf(slides, deck, out)
    else:
        raise ChallengeGraphError(f"{out}: a deck is .pptx or .pdf")
    return len(slides)


def layout(deck: Deck) -> list[list[Box]]:
    """Every slide's boxes: the overview, one per stage, one per top challenge."""
    slides = [_overview(deck)]
    slides += [_stage(deck, s, i + 1, len(deck.stages)) for i, s in enumerate(deck.stages)]
    slides += [_challenge(deck, c, i + 1) for i, c in enumerate(deck.challenges)]
    return slides


def _h(lines: int, size: float) -> float:
    return lines * size * LINE / 72


def _text(x, y, w, text, role, lines=None, max_lines=3, **style) -> Box:
    size = DECK_FONTS[role]
    face = "bold" if style.get("bold") else "italic" if style.get("italic") else "normal"
    broken = lines or shorten(text, w - 0.2, size, max_lines, face)
    return Box("text", x, y, w, _h(len(broken), size) + 0.1, tuple(broken), size, role=role, **style)


def _frame(deck: Deck, title: str, subtitle: str) -> tuple[list[Box], float]:
    """Title, subtitle and footer; returns the boxes and where the body starts."""
    width = SLIDE[0] - 2 * MARGIN
    boxes = [_text(MARGIN, 0.4, width, title, "title", max_lines=2, bold=True)]
    y = boxes[-1].y + boxes[-1].h + 0.05
    if subtitle:
        boxes.append(_text(MARGIN, y, width, subtitle, "subtitle", max_lines=2, colour=GREY))
        y += boxes[-1].h
    if deck.footer:
        boxes.append(_text(MARGIN, SLIDE[1] - 0.55, width, deck.footer, "small", max_lines=1, colour=GREY))
    return boxes, y + 0.25


def _overview(deck: Deck) -> list[Box]:
    counts = ", ".join(f"{n} {what}" for what, n in deck.counts)
    boxes, top = _frame(deck, deck.title, counts)
    boxes.append(_text(MARGIN, top, 6, "Challenges at each stage", "body", bold=True))
    chart_top = top + boxes[-1].h
    height = SLIDE[1] - 0.75 - chart_top
    rows = deck.per_stage[: max(1, int(height / 0.42))]
    boxes.append(Box("chart", MARGIN, chart_top, SLIDE[0] - 2 * MARGIN, height, size=DECK_FONTS["small"]))
    if len(rows) < len(deck.per_stage):
        boxes.append(
            _text(
                MARGIN, SLIDE[1] - 0.95, 8, f"and {len(deck.per_stage) - len(rows)} more stages", "small", colour=GREY
            )
        )
    return boxes


def _stage(deck: Deck, slide: StageSlide, number: int, of: int) -> list[Box]:
    n = len(slide.items)
    subtitle = f"{n} challenge{'s' if n != 1 else ''} · stage {number} of {of} with evidence"
    boxes, top = _frame(deck, slide.title, subtitle)
    bottom = SLIDE[1] - 0.9
    label_w, said_w = 6.2, 3.0
    said_x = MARGIN + label_w
    bar_x = said_x + said_w
    bar_room = SLIDE[0] - MARGIN - bar_x
    most = max((item.quotes for item in slide.items), default=1) or 1
    y, shown = top, 0
    for i, item in enumerate(slide.items):
        lines = wrap(item.label, label_w - 0.2, DECK_FONTS["body"])[:2]
        h = max(_h(len(lines), DECK_FONTS["body"]) + 0.16, 0.5)
        rest = n - i - 1
        if y + h + (_h(1, DECK_FONTS["small"]) + 0.1 if rest else 0) > bottom:
            break
        boxes.append(_text(MARGIN, y, label_w, item.label, "body", lines=lines))
        people = f"{item.participants} participant{'s' if item.participants != 1 else ''}"
        said = f"{item.quotes} quote{'s' if item.quotes != 1 else ''} · {people}"
        boxes.append(_text(said_x, y + 0.05, said_w, said, "small", max_lines=1, colour=GREY))
        boxes.append(Box("bar", bar_x, y + 0.1, max(0.08, bar_room * item.quotes / most), 0.3, colour=CHALLENGE))
        y += h
        shown += 1
    if shown < n:
        boxes.append(_text(MARGIN, y + 0.05, 8, f"and {n - shown} more at this stage", "small", colour=GREY))
    return boxes


def _challenge(deck: Deck, slide: ChallengeSlide, rank: int) -> list[Box]:
    people = f"{slide.participants} participant{'s' if slide.participants != 1 else ''}"
    where = f"{slide.stage} · " if slide.stage else ""
    boxes, top = _frame(deck, slide.title, f"{where}{slide.quotes} quotes · {people} · top challenge {rank}")
    width = SLIDE[0] - 2 * MARGIN - 0.3
    bottom = SLIDE[1] - 0.95 - _h(1, DECK_FONTS["small"])
    y = top
    shown = 0
    for quote in slide.best:
        lines = shorten(f"“{quote.text}”", width - 0.2, DECK_FONTS["quote"], 3, "italic")
        h = _h(len(lines), DECK_FONTS["quote"]) + 0.1 + _h(1, DECK_FONTS["small"]) + 0.1
        if y + h > bottom:
            break
        boxes.append(Box("bar", MARGIN, y + 0.05, 0.06, h - 0.1, colour=ACCENT))
        boxes.append(_text(MARGIN + 0.3, y, width, "", "quote", lines=lines, italic=True))
        y += boxes[-1].h
        boxes.append(_text(MARGIN + 0.3, y, width, f"— {quote.cite}" if quote.cite else "", "small", colour=GREY))
        y += boxes[-1].h + 0.2
        shown += 1
    if shown < slide.quotes:
        said = f"{shown} of {slide.quotes} quotes shown: the clearest"
        boxes.append(_text(MARGIN, y, 10, said, "small", colour=GREY))
    return boxes


def fits(box: Box) -> bool:
    """Whether every line of a text box fits its width (the tests hold this for every box).

    >>> fits(Box("text", 0, 0, 2, 1, ("short",), 20))
    True
    """
    face = "bold" if box.bold else "italic" if box.italic else "normal"
    return all(text_width(line, box.size, face) <= box.w for line in box.lines)

"""How a REFI-QDA project counts its selections' offsets: Unicode code points or UTF-16 units.

The REFI-QDA standard counts a ``PlainTextSelection``'s ``startPosition`` and ``endPosition`` in
Unicode code points from 0; NVivo counts UTF-16 code units, so each character outside the Basic
Multilingual Plane (an emoji, a rare CJK ideograph, a mathematical letter) before an offset
counts twice. Both readings agree on a text without such characters. Otherwise one reading is
chosen for the whole project: the one under which every offset lies in its text; then UTF-16
when the project's ``origin`` names NVivo; else the one under which more selection boundaries
fall on word boundaries (a selection starts at the text's start or after a character that is no
letter or digit, and ends at the text's end or before one), code points on a tie, as the
standard says.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["POINTS", "UTF16", "Reading", "SourceOffsets", "choose_reading"]

POINTS, UTF16 = "code points", "UTF-16 code units"
_NVIVO = re.compile(r"nvivo", re.IGNORECASE)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each


class SourceOffsets:
    """One source text's offsets: its length and the conversion from UTF-16 units to code points."""

    def __init__(self, text: str) -> None:
        self.text = text
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        # the UTF-16 offset at which each astral character starts (it takes two units)
        self._starts = [i + k for k, i in enumerate(astral)]
        self.astral = len(astral)

    def length(self, unit: str) -> int:
        return len(self.text) + (self.astral if unit == UTF16 else 0)

    def points(self, offset: int, unit: str) -> tuple[int, bool]:
        """``offset`` (in ``unit``) as a code-point offset, and whether it falls between two
        characters (a UTF-16 offset may fall inside a surrogate pair: then it is the offset
        after that character)."""
        if unit == POINTS or not self._starts:
            return offset, True
        before = bisect.bisect_right(self._starts, offset - 2)  # astral characters wholly before offset
        inside = before < len(self._starts) and self._starts[before] == offset - 1
        return offset - before - inside, not inside

    def on_word_boundaries(self, start: int, end: int, unit: str) -> int:
        """How many of a selection's two ends fall on word boundaries, read in ``unit``."""
        text = self.text
        (first, exact_first), (last, exact_last) = self.points(start, unit), self.points(end, unit)
        starts = exact_first and (first == 0 or not text[first - 1].isalnum())
        ends = exact_last and (last == len(text) or not text[last].isalnum())
        return starts + ends


@dataclass(frozen=True)
class Reading:
    """The unit a project's offsets count, and why (None: the choice made no difference)."""

    unit: str = POINTS
    reason: str | None = None

    def message(self) -> str | None:
        if self.reason is None:
            return None
        counted = "UTF-16 code units (as NVivo counts them)" if self.unit == UTF16 else "Unicode code points"
        return f"selection offsets read as {counted}: {self.reason}"


def choose_reading(origin: str, sources: Sequence[tuple[SourceOffsets, Sequence[tuple[int, int]]]]) -> Reading:
    """The reading of a project's offsets, from its ``origin`` attribute and each source's
    offsets with its ``(start, end)`` selections (see the module's description)."""
    sources = [(offsets, selections) for offsets, selections in sources if offsets.astral and selections]
    if not sources:
        return Reading()
    # a text is longer in UTF-16 units than in code points: offsets that fit as code points fit both ways
    fits = {unit: all(_fits(offsets, sel, unit) for offsets, sel in sources) for unit in (POINTS, UTF16)}
    if not fits[UTF16]:  # past the text either way: read as the standard says, and refused
        return Reading()
    if not fits[POINTS]:
        return Reading(UTF16, f"some selections end past their text counted in {POINTS}")
    if _NVIVO.search(origin):
        return Reading(UTF16, f"the project was exported by {origin.strip()!r}")
    scores = {
        unit: sum(offsets.on_word_boundaries(s, e, unit) for offsets, sel in sources for s, e in sel)
        for unit in (POINTS, UTF16)
    }
    unit = UTF16 if scores[UTF16] > scores[POINTS] else POINTS
    total = 2 * sum(len(sel) for _, sel in sources)
    other = UTF16 if unit == POINTS else POINTS
    return Reading(
        unit,
        f"{scores[unit]} of the {total} selection ends in texts with emoji or other characters outside "
        f"the BMP fall on word boundaries that way, {scores[other]} read as {other}",
    )


def _fits(offsets: SourceOffsets, selections: Sequence[tuple[int, int]], unit: str) -> bool:
    length = offsets.length(unit)
    return all(0 <= start <= end <= length for start, end in selections)

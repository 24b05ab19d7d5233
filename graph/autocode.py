"""Suggest codings for uncoded turns from the codebook's ``autocode`` rules (coder ``auto``).

Suggestions are always recorded with the coder ``auto``, so they stay apart from human codings:
stored evidence counts leave them out and every query can tell them apart by ``coder``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from challenge_graph.graph.codebook import Codebook
from challenge_graph.graph.model import PARTICIPANT, Coding, Interview

__all__ = ["AUTO", "AUTO_SEMANTIC", "MACHINE_CODERS", "Suggestion", "suggest", "with_suggestions", "unique_quote"]

AUTO = "auto"
AUTO_SEMANTIC = "auto-semantic"  # the nearest coded turns' codes (semantic/suggest.py)
MACHINE_CODERS = (AUTO, AUTO_SEMANTIC)  # suggestions, never evidence


@dataclass(frozen=True)
class Suggestion:
    """A suggested code for one turn, with the words that matched (for review)."""

    code: str
    position: int
    line: int
    speaker: str
    matched: str


def suggest(interview: Interview, codebook: Codebook) -> list[Suggestion]:
    """Suggestions for the turns of ``interview`` that no human coded.

    Examples
    --------
    >>> from challenge_graph.graph.codebook import parse_codebook
    >>> from challenge_graph.graph.model import Turn
    >>> cb = parse_codebook("workflow: [{id: a, name: A}]\\nautocode: [{code: Loss-x, patterns: ['loss']}]")
    >>> iv = Interview("i", "I", "i.txt", "t", (Turn("P1", "The loss diverged.", 0, 3, "participant"),))
    >>> [(s.code, s.line, s.matched) for s in suggest(iv, cb)]
    [('Loss-x', 3, 'loss')]
    """
    coded = {p for c in interview.codings if c.coder != AUTO for p in c.positions}
    out = []
    for turn in interview.turns:
        if turn.position in coded:
            continue
        for rule in codebook.autocode:
            if rule.speakers == "participant" and turn.role != PARTICIPANT:
                continue
            match = rule.pattern.search(turn.text)
            if match:
                out.append(Suggestion(rule.code, turn.position, turn.line, turn.speaker, match.group(0)))
    return out


def with_suggestions(interview: Interview, codebook: Codebook) -> Interview:
    """``interview`` with its suggestions added as codings by the coder ``auto``."""
    found = suggest(interview, codebook)
    if not found:
        return interview
    codings = interview.codings + tuple(Coding(s.code, AUTO, (s.position,), s.line) for s in found)
    return dataclasses.replace(interview, codings=codings, coders=tuple(dict.fromkeys(interview.coders + (AUTO,))))


def unique_quote(interview: Interview, suggestion: Suggestion) -> str:
    """Words that point at the suggestion's turn and no other: the matched words if they are
    unique in the transcript, else the whole turn."""

    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    matched = norm(suggestion.matched)
    hits = [t for t in interview.turns if matched in norm(t.text)]
    turn = interview.turns[suggestion.position]
    return suggestion.matched if len(hits) == 1 else " ".join(turn.text.split())

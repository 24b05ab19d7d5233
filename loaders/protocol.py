"""Load an interview protocol (sections and numbered questions): data to show, not an interview."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Protocol, ProtocolQuestion, slugify
from challenge_graph.loaders.text import read_lines

__all__ = ["load", "parse", "looks_like_protocol"]

FORMAT = "protocol"
_QUESTION = re.compile(r"^\s*(?:-\s*)?(?:(?P<num>\d+|[a-z]|[ivx]+)\s*[.)]\s*|(?P<star>\*))(?P<text>\S.*)$")
_ROMAN = re.compile(r"^[ivx]+$")


def load(path: Path) -> Protocol:
    """Read one protocol file."""
    return parse(read_lines(path), source=path)


def looks_like_protocol(lines: Sequence[str]) -> bool:
    """True if the text is mostly numbered questions under a title that says protocol."""
    head = " ".join(x for x in lines[:5]).lower()
    questions = sum(bool(_QUESTION.match(x)) for x in lines)
    return ("protocol" in head or "interview questions" in head) and questions >= 3


def parse(lines: Sequence[str], source: Path | str = "<text>") -> Protocol:
    """Parse protocol lines into sections and questions.

    Examples
    --------
    >>> p = parse(["Leader Protocol", "", "Background", "", "- 1. How long?", " - a) Where?"])
    >>> p.sections, [(q.section, q.number, q.depth, q.text) for q in p.questions]
    (('Background',), [('Background', '1', 0, 'How long?'), ('Background', 'a', 1, 'Where?')])
    """
    nonblank = [(n, x.strip()) for n, x in enumerate(lines, start=1) if x.strip()]
    if not nonblank:
        raise LoaderError(source, None, "empty protocol")
    title = nonblank[0][1]
    sections: list[str] = []
    questions: list[ProtocolQuestion] = []
    section, depth = "", 0
    for _, line in nonblank[1:]:
        match = _QUESTION.match(line)
        if match:
            number = match["num"] or ""
            depth = _depth(number, depth)
            questions.append(ProtocolQuestion(section, number, match["text"].strip(), len(questions), depth))
        elif _is_heading(line):
            section = line
            sections.append(line)
    if not questions:
        raise LoaderError(source, None, "no numbered questions found in protocol")
    return Protocol(
        id=slugify(title),
        title=title,
        source=Path(str(source)).name,
        sections=tuple(sections),
        questions=tuple(questions),
    )


def _is_heading(line: str) -> bool:
    return len(line.split()) <= 4 and line[-1] not in ".?:,;" and line[0].isupper()


def _depth(number: str, previous: int) -> int:
    """0 for ``1``, 1 for ``a``, 2 for ``ii`` (``i`` counts as roman below a letter)."""
    if not number:
        return previous
    if number.isdigit():
        return 0
    if _ROMAN.match(number) and previous >= 1 and (number != "i" or previous == 1):
        return 2 if number == "i" else previous
    return 1

"""Turns of a project that ``challenge-graph export`` wrote, read back exactly.

Such a project carries a note (``TURNS_NOTE``) giving each source's turns as code-point spans of
its text with their speaker labels, so any label comes back (``Speaker #2``, ``Dr: Who``, none),
and a turn's text keeps lines that look like labels. A table that does not fit its text (the
project was edited in another tool) is ignored: the text is then read like any project's.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from challenge_graph.graph.model import Turn
from challenge_graph.graph.qda_project import TURNS_NOTE

__all__ = ["turn_tables", "turns_from_table"]

NS = {"q": "urn:QDA-XML:project:1.0"}


def turn_tables(root: ET.Element) -> dict[str, list]:
    """Source guid -> its turn table, from the project's turns note (empty when there is none
    or it is not the JSON an export writes)."""
    for note in root.iterfind("q:Notes/q:Note", NS):
        if (note.get("name") or "") != TURNS_NOTE:
            continue
        try:
            tables = json.loads(note.findtext("q:PlainTextContent", "", NS))
        except ValueError:
            return {}
        return tables if isinstance(tables, dict) else {}
    return {}


def turns_from_table(text: str, table: object) -> tuple[list[Turn], list[tuple[int, int]]] | None:
    """The turns ``table`` gives (``[[start, end, speaker], ...]``: each turn's paragraph, its
    label first), with the span of text each covers; None unless every row fits ``text`` (spans
    in order, within the text, each paragraph starting with ``speaker: ``).

    >>> turns, spans = turns_from_table("Q: Why?\\n\\nSpeaker #2: It broke.\\n", [[0, 7, "Q"], [9, 30, "Speaker #2"]])
    >>> [(t.speaker, t.text, t.line) for t in turns], spans
    ([('Q', 'Why?', 1), ('Speaker #2', 'It broke.', 3)], [(0, 9), (9, 31)])
    """
    if not isinstance(table, list) or not table:
        return None
    turns, starts, last = [], [], 0
    for row in table:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[2], str)):
            return None
        start, end, speaker = row
        if not (isinstance(start, int) and isinstance(end, int) and last <= start <= end <= len(text)):
            return None
        prefix = f"{speaker}: " if speaker else ""
        if not text.startswith(prefix, start) or start + len(prefix) > end:
            return None
        line = text.count("\n", 0, start) + 1
        turns.append(Turn(speaker, text[start + len(prefix) : end], len(turns), line))
        starts.append(start)
        last = end
    spans = [(begin, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, begin in enumerate(starts)]
    return turns, spans

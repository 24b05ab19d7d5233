"""The tool gazetteer: which tools an interview's turns mention.

Each tool has lower-cased regular expressions, matched on lower-cased text as whole words
(hyphens join words). A tool is looked for only where a literal every match must contain occurs,
so most tools cost one substring search per interview.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from challenge_graph.graph.errors import CodebookError
from challenge_graph.graph.model import slugify

__all__ = ["Gazetteer", "ToolEntry", "compile_tool"]


@dataclass(frozen=True)
class ToolEntry:
    """A gazetteer entry; ``pattern`` is lower-cased, matched on lower-cased text (whole words
    are checked per match), ``literals`` are what each alternative must contain, if known."""

    name: str
    kind: str
    pattern: re.Pattern[str]
    literals: tuple[str, ...] | None

    @property
    def id(self) -> str:
        return slugify(self.name)


class Gazetteer:
    """A codebook's tools, with what :meth:`mentions_in` needs computed once."""

    def __init__(self, tools: Sequence[ToolEntry]) -> None:
        self.tools = tuple(tools)
        # a literal each alternative must contain: a cheap `in` test skips most scans
        self._literal_index = [(lit, i) for i, tool in enumerate(self.tools) for lit in tool.literals or ()]
        self._always_scan = {i for i, tool in enumerate(self.tools) if tool.literals is None}
        # each literal with its longest piece without spaces, which mentions_in() looks for first
        self._literal_pieces = [(lit, max(lit.split(), key=len, default=""), i) for lit, i in self._literal_index]

    def mentions(self, text: str) -> list[ToolEntry]:
        """The tools mentioned in ``text``, in gazetteer order."""
        low = text.lower()
        candidates = self._always_scan | {i for lit, i in self._literal_index if lit in low}
        return [self.tools[i] for i in sorted(candidates) if _matches_whole_word(self.tools[i].pattern, low)]

    def mentions_in(self, texts: Sequence[str]) -> list[list[ToolEntry]]:
        """:meth:`mentions` for each of ``texts`` (an interview's turns), the same lists found
        with one look at the whole interview per literal: a literal absent from every turn costs
        a search of the interview's distinct words only, and a present one is followed to the
        turns it occurs in, where the tool's pattern is then matched.

        >>> gpu = compile_tool({"name": "GPU", "kind": "hardware", "patterns": ["gpus?"]}, "example")
        >>> docker = compile_tool({"name": "Docker", "kind": "tool"}, "example")
        >>> turns = ["Two GPUs.", "no", "a gpu-box", "GPU in docker"]
        >>> [[t.name for t in found] for found in Gazetteer([gpu, docker]).mentions_in(turns)]
        [['GPU'], [], [], ['GPU', 'Docker']]
        """
        lowered = [text.lower() for text in texts]
        whole = "\n".join(lowered)
        starts = list(itertools.accumulate((len(text) + 1 for text in lowered[:-1]), initial=0))
        words = "\n".join(set(whole.split()))  # a literal without spaces occurs in whole iff in one of these
        turns_of: dict[int, set[int]] = {i: set(range(len(texts))) for i in self._always_scan}
        for literal, piece, i in self._literal_pieces:
            if piece not in words or (literal != piece and literal not in whole):
                continue
            turns = turns_of.setdefault(i, set())
            at = whole.find(literal)
            while at >= 0:  # each turn the literal occurs in, once
                turn = bisect.bisect_right(starts, at) - 1
                turns.add(turn)
                at = whole.find(literal, starts[turn + 1]) if turn + 1 < len(starts) else -1
        found: list[list[ToolEntry]] = [[] for _ in texts]
        for i in sorted(turns_of):
            tool = self.tools[i]
            for turn in sorted(turns_of[i]):
                if _matches_whole_word(tool.pattern, lowered[turn]):
                    found[turn].append(tool)
        return found


def compile_tool(entry: dict[str, Any], source: str) -> ToolEntry:
    """Compile a gazetteer entry once. Lower-cased patterns without flags let the regex engine
    scan for literal prefixes (~8x faster than IGNORECASE with look-behinds)."""
    patterns = [_lower_pattern(p) for p in entry.get("patterns") or [re.escape(entry["name"])]]
    try:
        pattern = re.compile("|".join(patterns))
    except re.error as e:
        raise CodebookError(source, entry["__line__"], f"tool {entry['name']!r}: bad pattern ({e})") from e
    return ToolEntry(entry["name"], entry["kind"], pattern, _required_literals(patterns))


def _lower_pattern(pattern: str) -> str:
    r"""Lower-case a regular expression's literals, leaving escapes such as ``\W`` alone.

    >>> _lower_pattern(r"Azure\W?ML|\d+B")
    'azure\\W?ml|\\d+b'
    """
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


def _required_literals(alternatives: list[str]) -> tuple[str, ...] | None:
    r"""For each alternative, the longest run of plain characters every match must contain;
    None when some alternative has none (then the tool is always scanned).

    >>> _required_literals(["azure ?ml", "azure machine learning"])
    ('azure', 'azure machine learning')
    >>> _required_literals([r"gpt(?:[- ]?\w+)?", "chatt? ?p ?t"])
    ('gpt', 'chat')
    """
    found = []
    for pattern in alternatives:
        if "|" in pattern:
            return None
        runs, run, depth, i = [], "", 0, 0
        while i < len(pattern):
            ch = pattern[i]
            optional = i + 1 < len(pattern) and pattern[i + 1] in "?*{"
            if ch in "([":
                depth += 1
            if depth == 0 and (ch.isalnum() or ch in " _-") and not optional:
                run += ch
            else:
                runs.append(run)
                run = ""
                if ch == "\\":
                    i += 1  # an escape: neither it nor the escaped character is plain
            if ch in ")]":
                depth -= 1
            i += 1
        runs.append(run)
        best = max((r.strip() for r in runs), key=len, default="")
        if len(best) < 2:
            return None
        found.append(best)
    return tuple(found)


def _matches_whole_word(pattern: re.Pattern[str], low: str) -> bool:
    return any(_whole_word(low, m.start(), m.end()) for m in pattern.finditer(low))


def _whole_word(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is not part of a longer word (hyphens join words)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-") and end > start

"""Align two files of one transcript (two coders' exports) turn by turn.

Coders' files of one interview hold the same words but not always the same paragraphs (one
coder's paragraph is two in another's file), and short turns (``Okay.``) recur. So the files
are aligned as word sequences, by position in the text, never by looking a turn's text up:
each turn of the other file lands on the base turns its words overlap, in order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

__all__ = ["align_turns", "similarity"]

_WORD = re.compile(r"\w+")


def _words(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    words, owner = [], []
    for index, text in enumerate(texts):
        found = _WORD.findall(text.casefold())
        words.extend(found)
        owner.extend([index] * len(found))
    return words, owner


def align_turns(
    base: Sequence[str], other: Sequence[str], base_speakers: Sequence[str] = (), other_speakers: Sequence[str] = ()
) -> list[tuple[int, ...]]:
    """For each turn of ``other``, the indexes of the ``base`` turns its text overlaps.

    A base turn counts when the overlap is at least half of it or half of the other turn (a
    word or two spilling over a paragraph break does not move a coding); where speakers are
    given and some overlapped turns have the other turn's speaker, only those count. A turn
    whose words are nowhere in ``base`` gets ``()``.

    >>> align_turns(["Okay.", "We lost the labels.", "Okay."], ["Okay.", "We lost", "the labels.", "Okay."])
    [(0,), (1,), (1,), (2,)]
    >>> align_turns(["Data was missing. It broke.", "Yes."], ["Data was missing.", "It broke. Yes."])
    [(0,), (0, 1)]
    """
    if [t.casefold().split() for t in base] == [t.casefold().split() for t in other]:
        return [(i,) for i in range(len(other))]
    base_words, base_owner = _words(base)
    other_words, other_owner = _words(other)
    exact: dict[int, int] = {}  # other word -> base word, where the texts agree
    near: dict[int, int] = {}  # other word -> base word, inside a replaced stretch
    matcher = SequenceMatcher(None, base_words, other_words, autojunk=len(base_words) > 2000)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            exact.update((j, i1 + j - j1) for j in range(j1, j2))
        elif op == "replace":
            near.update((j, i1 + (j - j1) * (i2 - i1) // (j2 - j1)) for j in range(j1, j2))
    base_size = Counter(base_owner)
    other_size = Counter(other_owner)
    overlaps: list[Counter[int]] = [Counter() for _ in other]
    fallback: list[Counter[int]] = [Counter() for _ in other]
    for j, turn in enumerate(other_owner):
        if j in exact:
            overlaps[turn][base_owner[exact[j]]] += 1
        elif j in near:
            fallback[turn][base_owner[near[j]]] += 1
    result = []
    for index, counts in enumerate(overlaps):
        counts = counts or fallback[index]
        if not counts:
            result.append(())
            continue
        best = max(counts.values())
        kept = [b for b, n in counts.items() if n == best or 2 * n >= base_size[b] or 2 * n >= other_size[index]]
        if base_speakers and other_speakers:
            same = [b for b in kept if base_speakers[b].casefold() == other_speakers[index].casefold()]
            kept = same or kept
        result.append(tuple(sorted(kept)))
    return result


def similarity(base: Sequence[str], other: Sequence[str]) -> float:
    """Share of words the two texts have in common, in order (1.0: the same words).

    >>> similarity(["a b c d"], ["a b", "c d"]), similarity(["a b"], ["x y"])
    (1.0, 0.0)
    """
    base_words, _ = _words(base)
    other_words, _ = _words(other)
    if not base_words or not other_words:
        return 0.0
    if base_words == other_words:  # coders' files of one export: the usual case, and instant
        return 1.0
    matcher = SequenceMatcher(None, base_words, other_words, autojunk=len(base_words) > 2000)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(base_words), len(other_words))

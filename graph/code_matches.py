"""Likely matches between codes of two studies, from their names and descriptions: what ``check``
reports when no crosswalk row relates them, and what ``crosswalk suggest`` proposes."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from challenge_graph.graph.code_names import tolerant_key

__all__ = ["CodeRef", "Match", "likely_matches", "content_words"]

_STOP = frozenset(
    "a an the of to in on for and or with by from at is are was be not no too very their its it this that "
    "issue issues problem problems challenge challenges difficult difficulty hard lack fix".split()
)


@dataclass(frozen=True)
class CodeRef:
    """A code of one study, as matching sees it."""

    study: str
    code: str
    name: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Match:
    a: CodeRef
    b: CodeRef
    score: float  # 0..1
    relation: str  # the SKOS relation proposed
    why: str


def content_words(text: str) -> frozenset[str]:
    """The words of ``text`` that carry meaning: lower case, singular, no stop words.

    >>> sorted(content_words("Missing values in the data"))
    ['data', 'missing', 'value']
    """
    words = re.findall(r"[a-z0-9]+", text.casefold())
    return frozenset(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP and len(w) > 1)


def _score(a: CodeRef, b: CodeRef) -> tuple[float, str, str]:
    if tolerant_key(a.code) == tolerant_key(b.code):
        return 1.0, "exactMatch", "the same code"
    ratio = difflib.SequenceMatcher(None, a.name.casefold(), b.name.casefold()).ratio()
    wa, wb = content_words(f"{a.name} {a.description}"), content_words(f"{b.name} {b.description}")
    shared = wa & wb
    overlap = len(shared) / len(wa | wb) if wa | wb else 0.0
    if ratio >= 0.85 and ratio > overlap:  # the same name but for a typo or an ending
        return ratio, "closeMatch", f"names {ratio:.0%} alike"
    score = overlap
    why = f"shared words: {', '.join(sorted(shared))}"
    return score, "closeMatch" if score >= 0.75 else "relatedMatch", why


def likely_matches(codes: Iterable[CodeRef], cutoff: float = 0.5) -> list[Match]:
    """Pairs of codes of the same kind from different studies scoring at least ``cutoff``, best first.

    >>> refs = [CodeRef("a", "Data-low-quality", "Low quality", "Challenge", "Data of low quality"),
    ...         CodeRef("b", "Data-messy-real-world-data", "Messy real world data", "Challenge",
    ...                 "Real-world data is of low quality"),
    ...         CodeRef("b", "Loss-complexity", "Loss complexity", "Challenge")]
    >>> [(m.a.code, m.b.code, m.relation) for m in likely_matches(refs, cutoff=0.3)]
    [('Data-low-quality', 'Data-messy-real-world-data', 'relatedMatch')]
    """
    items = sorted(set(codes), key=lambda r: (r.study, r.code))
    found = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.study == b.study or a.label != b.label:
                continue
            score, relation, why = _score(a, b)
            if score >= cutoff:
                found.append(Match(a, b, round(score, 3), relation, why))
    return sorted(found, key=lambda m: (-m.score, m.a.study, m.a.code, m.b.code))

"""Spot likely identifiers left in quotes and participant fields, so researchers can fix their
anonymisation before a talk: e-mail addresses, phone numbers, person names, organisations and
places. A heuristic scan (patterns and short word lists, no language model): it flags for a
person to review, it does not prove a text is anonymous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Finding", "scan", "FIRST_NAMES", "ORGANISATIONS", "PLACES"]

FIRST_NAMES = frozenset(
    """
aaron adam adrian ahmed alan albert alex alexander alice amanda amy andrea andrew angela anna anne
anthony antonio barbara ben benjamin brian carlos carol catherine charles chris christian christina
christopher daniel david deborah dennis diana donald dorothy edward elena elizabeth emily emma eric
fatima frank george grace hannah harry helen henry ian jack james jane jason jennifer jessica john
jonathan jose joseph joshua julia justin karen kate kevin laura linda lisa lucas luis margaret maria
mark martin mary matthew max michael michelle mohammed nancy nicholas nicole olivia patricia paul peter
rachel richard robert ryan sandra sara sarah scott sophia stephen steven susan thomas timothy william
wei li ming yan jun hui ying fang xin ahmad ali hassan omar priya rahul amit anil sunita
""".split()
)
ORGANISATIONS = frozenset(
    """
google microsoft amazon facebook meta baidu alibaba tencent huawei samsung apple ibm intel nvidia
netflix uber paypal openai deepmind oracle salesforce twitter linkedin bytedance siemens bosch
""".split()
)
PLACES = frozenset(
    """
london paris berlin madrid rome montreal toronto vancouver chicago boston seattle
beijing shanghai shenzhen tokyo seoul bangalore delhi mumbai sydney melbourne amsterdam zurich
canada china india france germany brazil mexico japan spain italy quebec california texas
""".split()
)

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ().-]{7,}\d(?!\w)")
_PERSON = re.compile(r"\b(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+[A-Z][a-z]+|([A-Z][a-z]+)\s+[A-Z][a-z]{2,})\b")
_INSTITUTION = re.compile(
    r"\b(?:(?:University|Institute|College|School) of(?: [A-Z][\w-]+)+|(?:[A-Z][\w-]+ )+"
    r"(?:University|Institute of Technology|Inc|Ltd|LLC|GmbH|Corp|Corporation))\b"
)
_WORD = re.compile(r"\b[A-Z][a-z]+\b")


@dataclass(frozen=True)
class Finding:
    """A likely identifier: its kind, the words, and where they stand."""

    kind: str
    text: str
    where: str


def scan(items: Iterable[tuple[str, str]]) -> list[Finding]:
    """Scan ``(where, text)`` pairs; findings in order, each (kind, words, place) once.

    >>> [(f.kind, f.text) for f in scan([("I1 line 3", "Mail jane.doe@uni.edu or ask Margaret Michelle in Chicago.")])]
    [('email', 'jane.doe@uni.edu'), ('person', 'Margaret Michelle'), ('place', 'Chicago')]
    """
    found: dict[tuple[str, str, str], Finding] = {}
    for where, text in items:
        for kind, value in _findings(text):
            found.setdefault((kind, value, where), Finding(kind, value, where))
    return list(found.values())


def _findings(text: str):
    for match in _EMAIL.finditer(text):
        yield "email", match.group(0)
    for match in _PHONE.finditer(text):
        if sum(ch.isdigit() for ch in match.group(0)) >= 9:
            yield "phone", match.group(0).strip()
    for match in _PERSON.finditer(text):
        first = match.group(1)
        if first is None or first.lower() in FIRST_NAMES:
            yield "person", match.group(0)
    for match in _INSTITUTION.finditer(text):
        yield "organisation", match.group(0)
    for match in _WORD.finditer(text):
        word = match.group(0).lower()
        if word in ORGANISATIONS:
            yield "organisation", match.group(0)
        elif word in PLACES:
            yield "place", match.group(0)

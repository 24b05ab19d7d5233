"""What the rows of some interviews add to the figures the build stores (:mod:`graph.aggregates`).

Every stored figure is a count of turns (each turn belongs to one interview, so counts add up)
or a set of participants, interviews or codes (sets unite): the figures of a corpus are the
figures of its interviews put together with :meth:`Figures.merge`. Each interview's are made
with its rows (:func:`figures_of`, in the worker process that builds it) and kept with them, so
a load that changes one interview counts only that one again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from challenge_graph.graph.autocode import MACHINE_CODERS

if TYPE_CHECKING:
    from challenge_graph.graph.graph_data import GraphData

__all__ = ["Code", "Figures", "figures_of"]

Code = tuple[str, str]  # (label, id)


@dataclass
class Figures:
    """Turn counts and sets of ids, by what they describe (participant turns: turns a
    participant said; a person's coding: one by a coder that is not a machine coder).

    - ``evidence``: code -> [participant turns a person coded with it, their speakers, interviews];
    - ``stage_evidence``: stage -> [participant turns a person coded with a challenge there, speakers];
    - ``all_quotes``: code -> [participant turns coded with it by any coder, their speakers];
    - ``reported``: (participant, label, code id, interview) -> their turns coded with it (any coder);
    - ``mentioned``: (participant, tool) -> their turns mentioning it;
    - ``mentioned_with``: (challenge id, tool) -> [participant turns coded with it mentioning the tool, speakers];
    - ``mentioned_at``: (tool, stage) -> [participant turns mentioning it with a code at the stage, speakers];
    - ``co_occurs``: (challenge id, challenge id) -> [turns coded with both, pairs of their codings];
    - ``cells``: (stage, challenge category) -> participant turns coded with a challenge of that cell;
    - ``coded_excerpts``: turns with any coding.
    """

    evidence: dict[Code, list[Any]] = field(default_factory=dict)
    stage_evidence: dict[str, list[Any]] = field(default_factory=dict)
    all_quotes: dict[Code, list[Any]] = field(default_factory=dict)
    reported: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    mentioned: dict[tuple[str, str], int] = field(default_factory=dict)
    mentioned_with: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    mentioned_at: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    co_occurs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    coded_excerpts: int = 0

    def merge(self, other: Figures) -> None:
        """Add ``other``'s turns and sets to these (the figures of both sets of interviews)."""
        for name in ("evidence", "stage_evidence", "all_quotes", "mentioned_with", "mentioned_at", "co_occurs"):
            mine = getattr(self, name)
            for key, values in getattr(other, name).items():
                have = mine.get(key)
                if have is None:
                    mine[key] = [v.copy() if isinstance(v, set) else v for v in values]
                else:
                    mine[key] = [a | b if isinstance(a, set) else a + b for a, b in zip(have, values)]
        for name in ("reported", "mentioned", "cells"):
            mine = getattr(self, name)
            for key, n in getattr(other, name).items():
                mine[key] = mine.get(key, 0) + n
        self.coded_excerpts += other.coded_excerpts


def figures_of(graph: GraphData) -> Figures:
    """The figures of the interviews whose rows ``graph`` holds (whole interviews: their
    excerpts with every relationship from or to them, and the codes' stage and category rows)."""
    speaker = {r["dst"]: r["src"] for r in graph.rel_rows("SAID")}
    interview_of = {key: row["interview"] for key, row in graph.nodes.get("Excerpt", {}).items()}
    codes_on: dict[str, Counter[Code]] = defaultdict(Counter)  # excerpt -> codings (one per coder) per code
    by_person: dict[str, set[Code]] = defaultdict(set)  # excerpt -> codes a person coded it with
    for rel in graph.rel_rows("CODED_AS"):
        code = (rel["dstLabel"], rel["dst"])
        codes_on[rel["src"]][code] += 1
        if rel["coder"] not in MACHINE_CODERS:
            by_person[rel["src"]].add(code)
    tools_on: dict[str, set[str]] = defaultdict(set)
    for rel in graph.rel_rows("MENTIONS"):
        tools_on[rel["src"]].add(rel["dst"])
    stage_of = {(r["srcLabel"], r["src"]): r["dst"] for r in graph.rel_rows("AT_STAGE")}
    category = {row["id"]: row["category"] for row in graph.node_rows("Challenge")}
    figures = Figures(coded_excerpts=len(codes_on))
    for codes in codes_on.values():
        _add_co_occurrences(figures, codes)
    for excerpt, who in speaker.items():
        codes, tools = codes_on.get(excerpt, {}), tools_on.get(excerpt, set())
        _add_turn(figures, excerpt, who, interview_of[excerpt], codes, by_person.get(excerpt, set()), tools, stage_of)
        cells = {
            (stage_of[code], category[code[1]])
            for code in codes
            if code[0] == "Challenge" and code in stage_of and code[1] in category
        }
        for cell in cells:
            figures.cells[cell] = figures.cells.get(cell, 0) + 1
    return figures


def _add_turn(
    figures: Figures,
    excerpt: str,
    who: str,
    interview: str,
    codes: Counter[Code] | dict[Code, int],
    by_person: set[Code],
    tools: set[str],
    stage_of: dict[Code, str],
) -> None:
    """Count one participant turn (said by ``who``) with its codes and tool mentions."""
    for code in by_person:
        _count(figures.evidence, code, who, {interview})
    for stage in {stage_of[code] for code in by_person if code[0] == "Challenge" and code in stage_of}:
        _count(figures.stage_evidence, stage, who)
    for code in codes:
        _count(figures.all_quotes, code, who)
        key = (who, code[0], code[1], interview)
        figures.reported[key] = figures.reported.get(key, 0) + 1
    stages = {stage_of[code] for code in codes if code in stage_of}
    for tool in tools:
        figures.mentioned[(who, tool)] = figures.mentioned.get((who, tool), 0) + 1
        for label, cid in codes:
            if label == "Challenge":
                _count(figures.mentioned_with, (cid, tool), who)
        for stage in stages:
            _count(figures.mentioned_at, (tool, stage), who)


def _count(table: dict[Any, list[Any]], key: Any, who: str, *sets: set[str]) -> None:
    """One more turn under ``key``, said by ``who`` (and the ids of ``sets``, as further sets)."""
    found = table.get(key)
    if found is None:
        table[key] = [1, {who}, *(set(s) for s in sets)]
    else:
        found[0] += 1
        found[1].add(who)
        for have, more in zip(found[2:], sets):
            have |= more


def _add_co_occurrences(figures: Figures, codes: Counter[Code] | dict[Code, int]) -> None:
    """The pairs of challenges coded on one turn (any speaker), both ways."""
    challenges = {cid: n for (label, cid), n in codes.items() if label == "Challenge"}
    for a, n_a in challenges.items():
        for b, n_b in challenges.items():
            if a != b:
                pair = figures.co_occurs.get((a, b))
                if pair is None:
                    figures.co_occurs[(a, b)] = [1, n_a * n_b]
                else:
                    pair[0] += 1
                    pair[1] += n_a * n_b

"""What the rows of some interviews add to the figures the build stores (:mod:`graph.aggregates`).

Every stored figure is a count of turns (each turn belongs to one interview, so counts add up)
or a number of distinct participants, interviews or codes (sets, which unite): the figures of a
corpus are its interviews' figures put together (:meth:`FigureTotals.add`). Each interview's are
counted from its rows (:func:`figures_of`) in the worker process that builds it, and kept with
them, so that a load counts again only the interviews it builds, and the rest of the corpus adds
its kept figures instead of its rows.

An interview's :class:`Figures` are kept as plain MessagePack: keys are ids joined by
:data:`SEP`, values numbers and lists of ids, so that a kept interview's figures decode in one
step (tuples and sets, kept types of their own, made this slower than counting the rows again).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.graph.graph_data import excerpt_place
from challenge_graph.graph.study_scope import scoped_id

if TYPE_CHECKING:
    from challenge_graph.graph.graph_data import GraphData

__all__ = ["SEP", "Figures", "FigureTotals", "figures_of", "totals_of"]

SEP = "\x1f"  # joins the ids of a key; never part of an id (StageCategory's ids are joined by it too)

# the tables whose values are [turns, a list of ids, ...]: turns add up, the lists unite
_WITH_SETS = (
    "evidence",
    "stage_evidence",
    "all_quotes",
    "mentioned_with",
    "mentioned_at",
    "coverage_turns",
    "coverage_challenges",
)
_COUNTS = ("reported", "mentioned", "cells")  # key -> turns, which add up


@dataclass
class Figures:
    """What some interviews add to the stored figures (participant turns: turns a participant
    said; a person's coding: one by a coder that is not a machine coder). Keys are ids joined by
    :data:`SEP`; a code is ``label SEP id``.

    - ``evidence``: code -> [participant turns a person coded with it, their speakers, interviews];
    - ``stage_evidence``: stage -> [participant turns a person coded with a challenge there, speakers];
    - ``all_quotes``: code -> [participant turns coded with it by any coder, their speakers];
    - ``reported``: participant SEP code SEP interview -> their turns coded with it (any coder);
    - ``mentioned``: participant SEP tool -> their turns mentioning it;
    - ``mentioned_with``: challenge id SEP tool -> [participant turns coded with it mentioning the tool, speakers];
    - ``mentioned_at``: tool SEP stage -> [participant turns mentioning it with a code at the stage, speakers];
    - ``co_occurs``: challenge id SEP challenge id -> [turns coded with both, pairs of their codings];
    - ``cells``: stage SEP challenge category -> participant turns coded with a challenge of that cell;
    - ``coded_excerpts``: turns with any coding;

    and for the figures of the whole corpus (a study's coding: one by a coder whose name does not
    start with ``auto``):

    - ``study_quotes``: participant turns a study's coding gave a challenge;
    - ``coverage_turns``: the stages of those challenges on one turn, joined -> [such turns, speakers];
    - ``coverage_challenges``: stage -> [such codings, the challenges at the stage];
    - ``coded_turns``: label SEP code id SEP coder -> the excerpts the coder coded with it.
    """

    evidence: dict[str, list[Any]] = field(default_factory=dict)
    stage_evidence: dict[str, list[Any]] = field(default_factory=dict)
    all_quotes: dict[str, list[Any]] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)
    mentioned: dict[str, int] = field(default_factory=dict)
    mentioned_with: dict[str, list[Any]] = field(default_factory=dict)
    mentioned_at: dict[str, list[Any]] = field(default_factory=dict)
    co_occurs: dict[str, list[int]] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)
    coded_excerpts: int = 0
    study_quotes: int = 0
    coverage_turns: dict[str, list[Any]] = field(default_factory=dict)
    coverage_challenges: dict[str, list[Any]] = field(default_factory=dict)
    coded_turns: dict[str, list[str]] = field(default_factory=dict)


class FigureTotals(Figures):
    """Several interviews' :class:`Figures` put together: the lists of ids become sets.

    >>> one = Figures(all_quotes={"Challenge\\x1fdrift": [2, ["p1"]]}, reported={"k": 2}, coded_excerpts=3)
    >>> two = Figures(all_quotes={"Challenge\\x1fdrift": [1, ["p1", "p2"]]}, reported={"k": 1})
    >>> totals = FigureTotals()
    >>> totals.add(one); totals.add(two)
    >>> turns, speakers = totals.all_quotes["Challenge\\x1fdrift"]
    >>> turns, sorted(speakers), totals.reported, totals.coded_excerpts
    (3, ['p1', 'p2'], {'k': 3}, 3)
    """

    def add(self, figures: Figures) -> None:
        """Add ``figures``' turns and ids to these."""
        for name in _WITH_SETS:
            mine = getattr(self, name)
            for key, (turns, *ids) in getattr(figures, name).items():
                have = mine.get(key)
                if have is None:
                    mine[key] = [turns, *map(set, ids)]
                else:
                    have[0] += turns
                    for found, more in zip(have[1:], ids):
                        found.update(more)
        for name in _COUNTS:
            mine = getattr(self, name)
            for key, turns in getattr(figures, name).items():
                mine[key] = mine.get(key, 0) + turns
        co_occurs = self.co_occurs
        for key, (excerpts, codings) in figures.co_occurs.items():
            have = co_occurs.get(key)
            if have is None:
                co_occurs[key] = [excerpts, codings]
            else:
                have[0] += excerpts
                have[1] += codings
        for key, excerpts in figures.coded_turns.items():
            self.coded_turns.setdefault(key, []).extend(excerpts)
        self.coded_excerpts += figures.coded_excerpts
        self.study_quotes += figures.study_quotes

    def scoped(self, study: str) -> FigureTotals:
        """The totals the whole corpus's figures read (the coverage, :attr:`coded_turns`,
        :attr:`study_quotes`, :attr:`coded_excerpts`), with the ids of ``study`` scoped as its rows are
        (:func:`graph.study_scope.scoped_id`); the others were read by the study's build."""

        def scoped(key: str) -> str:
            return SEP.join(scoped_id(study, part) for part in key.split(SEP))

        out = FigureTotals(coded_excerpts=self.coded_excerpts, study_quotes=self.study_quotes)
        for name in ("coverage_turns", "coverage_challenges"):
            getattr(out, name).update(
                {scoped(key): [n, {scoped_id(study, i) for i in ids}] for key, (n, ids) in getattr(self, name).items()}
            )
        for key, excerpts in self.coded_turns.items():
            label, cid, coder = key.split(SEP)
            out.coded_turns[SEP.join((label, scoped_id(study, cid), coder))] = [scoped_id(study, e) for e in excerpts]
        return out


def figures_of(graph: GraphData) -> Figures:
    """The figures of the interviews whose rows ``graph`` holds (whole interviews: their
    excerpts with every relationship from or to them, and their codes' stage and category rows).
    An excerpt's interview is read from its id (:func:`graph.graph_data.excerpt_place`)."""
    speaker = {r["dst"]: r["src"] for r in graph.rel_rows("SAID")}
    codes_on: dict[str, Counter[str]] = defaultdict(Counter)  # excerpt -> codings (one per coder) per code
    by_person: dict[str, set[str]] = defaultdict(set)  # excerpt -> codes a person coded it with
    by_study: dict[str, set[str]] = defaultdict(set)  # participant turn -> challenges a study's coding gave it
    coded_turns: dict[str, list[str]] = defaultdict(list)
    for rel in graph.rel_rows("CODED_AS"):
        excerpt, code, coder = rel["src"], rel["dstLabel"] + SEP + rel["dst"], rel["coder"]
        codes_on[excerpt][code] += 1
        coded_turns[code + SEP + coder].append(excerpt)
        if coder not in MACHINE_CODERS:
            by_person[excerpt].add(code)
        if rel["dstLabel"] == "Challenge" and excerpt in speaker and not coder.startswith("auto"):
            by_study[excerpt].add(rel["dst"])
    tools_on: dict[str, set[str]] = defaultdict(set)
    for rel in graph.rel_rows("MENTIONS"):
        tools_on[rel["src"]].add(rel["dst"])
    stage_of = {r["srcLabel"] + SEP + r["src"]: r["dst"] for r in graph.rel_rows("AT_STAGE")}
    category = {"Challenge" + SEP + row["id"]: row["category"] for row in graph.node_rows("Challenge")}
    counting = _Counting(coded_excerpts=len(codes_on), study_quotes=len(by_study), coded_turns=dict(coded_turns))
    for excerpt, challenges in by_study.items():
        counting.add_coverage(speaker[excerpt], challenges, stage_of)
    for codes in codes_on.values():
        counting.add_co_occurrences(codes)
    for excerpt, who in speaker.items():
        codes = codes_on.get(excerpt, {})
        counting.add_turn(excerpt, who, codes, by_person.get(excerpt, set()), tools_on.get(excerpt, set()), stage_of)
        cells = {stage_of[code] + SEP + category[code] for code in codes if code in stage_of and code in category}
        for cell in cells:
            counting.cells[cell] = counting.cells.get(cell, 0) + 1
    return counting.figures()


def totals_of(graph: GraphData) -> FigureTotals:
    """The figures of ``graph``'s rows as totals (no interview's were kept: after suggestions)."""
    totals = FigureTotals()
    totals.add(figures_of(graph))
    return totals


class _Counting(Figures):
    """Figures being counted: sets where the kept figures have lists."""

    def add_turn(
        self,
        excerpt: str,
        who: str,
        codes: Counter[str] | dict[str, int],
        by_person: set[str],
        tools: set[str],
        stage_of: dict[str, str],
    ) -> None:
        """Count one participant turn (said by ``who``) with its codes and tool mentions."""
        interview = excerpt_place(excerpt)[0]
        for code in by_person:
            _count(self.evidence, code, who, interview)
        challenge = "Challenge" + SEP
        for stage in {stage_of[code] for code in by_person if code.startswith(challenge) and code in stage_of}:
            _count(self.stage_evidence, stage, who)
        for code in codes:
            _count(self.all_quotes, code, who)
            key = who + SEP + code + SEP + interview
            self.reported[key] = self.reported.get(key, 0) + 1
        stages = {stage_of[code] for code in codes if code in stage_of}
        challenges = [code[len(challenge) :] for code in codes if code.startswith(challenge)]
        for tool in tools:
            key = who + SEP + tool
            self.mentioned[key] = self.mentioned.get(key, 0) + 1
            for cid in challenges:
                _count(self.mentioned_with, cid + SEP + tool, who)
            for stage in stages:
                _count(self.mentioned_at, tool + SEP + stage, who)

    def add_coverage(self, who: str, challenges: set[str], stage_of: dict[str, str]) -> None:
        """Count one participant turn (said by ``who``) and the challenges a study's coding gave it."""
        stages: set[str] = set()
        for cid in challenges:
            stage = stage_of.get("Challenge" + SEP + cid)
            if stage is not None:
                stages.add(stage)
                _count(self.coverage_challenges, stage, cid)
        if stages:
            _count(self.coverage_turns, SEP.join(sorted(stages)), who)

    def add_co_occurrences(self, codes: Counter[str] | dict[str, int]) -> None:
        """The pairs of challenges coded on one turn (any speaker), both ways."""
        challenge = "Challenge" + SEP
        challenges = {code[len(challenge) :]: n for code, n in codes.items() if code.startswith(challenge)}
        for a, n_a in challenges.items():
            for b, n_b in challenges.items():
                if a != b:
                    pair = self.co_occurs.get(a + SEP + b)
                    if pair is None:
                        self.co_occurs[a + SEP + b] = [1, n_a * n_b]
                    else:
                        pair[0] += 1
                        pair[1] += n_a * n_b

    def figures(self) -> Figures:
        """These figures with lists for sets (sorted: the same rows give the same bytes)."""
        kept = {f.name: getattr(self, f.name) for f in fields(Figures)}
        for name in _WITH_SETS:
            kept[name] = {key: [turns, *map(sorted, ids)] for key, (turns, *ids) in kept[name].items()}
        return Figures(**kept)


def _count(table: dict[str, list[Any]], key: str, who: str, *ids: str) -> None:
    """One more turn under ``key``, said by ``who`` (and ``ids``, each in a set of its own)."""
    found = table.get(key)
    if found is None:
        table[key] = [1, {who}, *({i} for i in ids)]
    else:
        found[0] += 1
        found[1].add(who)
        for have, more in zip(found[2:], ids):
            have.add(more)

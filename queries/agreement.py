"""Inter-coder agreement per code and overall: percent agreement, Cohen's kappa per coder pair,
Fleiss' kappa and Krippendorff's alpha (nominal, missing data allowed) across coders.

The units are the turns of every interview coded by two or more files (the build aligns the
coders' files as word sequences and reports any tag it could not place). A rater's value on a
unit is 1 if they applied the code to it, 0 if they coded that interview but not that turn, and
missing if they did not code the interview. A file without tags codes nothing. Consensus
(moderation) files are a rater of their own, ``Name (consensus)``: compared with each
independent coder in the pairwise table and left out of Fleiss' kappa and Krippendorff's
alpha, which are computed over each interview's independent coders. Suggestions by ``auto``
are left out unless asked for.

The figures are computed from counts: a turn nobody coded adds a known amount to every sum, so
only the codings are visited (a thousand interviews take well under a second). The small
functions at the end define each statistic on explicit data; the tests hold both to the
reference libraries.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.queries.analysis import coded_turns
from challenge_graph.queries.runner import run_query
from challenge_graph.store.base import GraphStore

__all__ = [
    "AgreementRow",
    "PairRow",
    "agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
]

CONSENSUS = " (consensus)"


@dataclass(frozen=True)
class AgreementRow:
    code: str
    coders: int
    units: int
    percent_agreement: float
    fleiss_kappa: float
    krippendorff_alpha: float


@dataclass(frozen=True)
class PairRow:
    code: str
    coder_a: str
    coder_b: str
    units: int
    percent_agreement: float
    cohen_kappa: float


def agreement(
    store: GraphStore,
    interview: str | None = None,
    code: str | None = None,
    include_auto: bool = False,
    consensus: tuple[str, ...] = (),
    study: str | None = None,
) -> tuple[list[AgreementRow], list[PairRow]]:
    """Agreement tables: one row per code (and ``(all codes)``), one row per code and rater pair,
    within one ``study``. With several studies and none given, each study's tables in turn, codes
    named ``study: code``: coders of different studies are never pooled.

    A rater is a coder's independent files, or a coder's consensus (moderation) files, shown as
    ``Name (consensus)``: the same person can code some interviews and moderate others.
    ``consensus`` names further coders to treat as consensus everywhere.
    """
    coders = run_query(store, "coders").as_dicts()
    if not include_auto:
        coders = [c for c in coders if c["coder"] not in MACHINE_CODERS]
    if interview:
        coders = [c for c in coders if interview in (c["interview"], c["title"])]
    studies = sorted({c["study"] for c in coders})
    if study is None and len(studies) > 1:
        table: list[AgreementRow] = []
        pairs: list[PairRow] = []
        for one in studies:
            t, p = agreement(store, interview, code, include_auto, consensus, one)
            table += [dataclasses.replace(row, code=f"{one}: {row.code}") for row in t]
            pairs += [dataclasses.replace(row, code=f"{one}: {row.code}") for row in p]
        return table, pairs
    if study is not None:
        coders = [c for c in coders if c["study"] == study]
    moderators = set(consensus)
    rater: dict[tuple[str, str], str] = {}  # (interview, coder) -> rater
    by_interview: dict[str, list[str]] = defaultdict(list)
    turns: dict[str, int] = {}
    for row in coders:
        moderated = bool(row["consensus"]) or row["coder"] in moderators
        name = f"{row['coder']}{CONSENSUS}" if moderated else row["coder"]
        rater[(row["interview"], row["coder"])] = name
        by_interview[row["interview"]].append(name)
        turns[row["interview"]] = row["turns"]
    shared = {i for i, rs in by_interview.items() if len(rs) >= 2}
    applied: dict[str, set[tuple[str, str, int]]] = defaultdict(set)  # code -> (rater, interview, turn)
    for row in coded_turns(store, study=study):
        mine = applied[row.code]
        for i, position in zip(row.interviews, row.positions):
            name = rater.get((i, row.coder))
            if name is not None and i in shared:
                mine.add((name, i, position))
    applied = {c: units for c, units in applied.items() if units}
    names = sorted({r for i in shared for r in by_interview[i]})
    codes = sorted(c for c in applied if code is None or c.casefold() == code.casefold())
    independent = [n for n in names if not n.endswith(CONSENSUS)]
    counts = _Counts(shared, by_interview, turns, independent, names)
    per_code = {c: counts.tally(applied[c]) for c in codes}
    rows = [(c, per_code[c]) for c in codes]
    if len(codes) > 1:  # the units of different codes are disjoint: the tallies add up
        rows.append(("(all codes)", _Tally.total(per_code.values())))
    table, pairs = [], []
    for label, tally in rows:
        table.append(
            AgreementRow(
                label,
                len(independent),
                tally.fleiss_units,
                tally.percent_agreement(),
                tally.fleiss_kappa(counts.size),
                tally.krippendorff_alpha(),
            )
        )
        for (a, b), pair in tally.pairs.items():
            if pair.units:
                pairs.append(PairRow(label, a, b, pair.units, pair.percent_agreement(), pair.cohen_kappa()))
    return table, pairs


@dataclass
class _Pair:
    """Two raters over the units both rated: how many, and how many each (and both) applied."""

    units: int = 0
    a: int = 0
    b: int = 0
    both: int = 0

    def percent_agreement(self) -> float:
        return (self.units - self.a - self.b + 2 * self.both) / self.units

    def cohen_kappa(self) -> float:
        n = self.units
        expected = (self.a / n) * (self.b / n) + ((n - self.a) / n) * ((n - self.b) / n)
        return math.nan if expected == 1 else (self.percent_agreement() - expected) / (1 - expected)


@dataclass
class _Tally:
    """Additive sums behind every statistic of one code (or of several: their units are
    disjoint), gathered from the codings alone: a unit nobody coded contributes a known amount."""

    fleiss_units: int = 0  # units rated by the common number of independent raters
    fleiss_ones: int = 0
    fleiss_spread: float = 0.0  # sum over those units of P_i - 1 (0 when all raters agree on 0)
    fleiss_split: int = 0  # those units on which the raters disagree
    o00: float = 0.0  # Krippendorff's coincidences, nominal, 0/1
    o01: float = 0.0
    o11: float = 0.0
    pairs: dict[tuple[str, str], _Pair] = field(default_factory=dict)

    @staticmethod
    def total(tallies) -> _Tally:
        out = _Tally()
        for t in tallies:
            for name in ("fleiss_units", "fleiss_ones", "fleiss_spread", "fleiss_split", "o00", "o01", "o11"):
                setattr(out, name, getattr(out, name) + getattr(t, name))
            for key, pair in t.pairs.items():
                mine = out.pairs.setdefault(key, _Pair())
                mine.units, mine.a, mine.b, mine.both = (
                    mine.units + pair.units,
                    mine.a + pair.a,
                    mine.b + pair.b,
                    mine.both + pair.both,
                )
        return out

    def percent_agreement(self) -> float:
        return (self.fleiss_units - self.fleiss_split) / self.fleiss_units if self.fleiss_units else math.nan

    def fleiss_kappa(self, raters: int) -> float:
        if not self.fleiss_units or raters < 2:
            return math.nan
        p1 = self.fleiss_ones / (self.fleiss_units * raters)
        p_e = p1 * p1 + (1 - p1) * (1 - p1)
        p_bar = (self.fleiss_units + self.fleiss_spread) / self.fleiss_units
        return math.nan if p_e == 1 else (p_bar - p_e) / (1 - p_e)

    def krippendorff_alpha(self) -> float:
        n0, n1 = self.o00 + self.o01, self.o11 + self.o01
        n = n0 + n1
        if n <= 1:
            return math.nan
        expected = 2 * n0 * n1 / (n - 1)
        return math.nan if expected == 0 else 1 - 2 * self.o01 / expected


class _Counts:
    """Who rated which interview, and the tallies a code's codings give."""

    def __init__(self, shared, by_interview, turns, independent, names) -> None:
        self.turns = turns
        self.ind = {i: [r for r in by_interview[i] if r in set(independent)] for i in shared}
        sizes = Counter()
        for i in shared:
            if len(self.ind[i]) >= 2:
                sizes[len(self.ind[i])] += turns[i]
        self.size = max(sizes, key=lambda k: (sizes[k], k)) if sizes else 0
        raters = {i: set(by_interview[i]) for i in shared}
        self.pair_interviews = {
            (a, b): [i for i in shared if a in raters[i] and b in raters[i]] for a, b in combinations(names, 2)
        }
        # what does not depend on the code: the units (every unit as if nobody had coded it) ...
        self.o00 = 0.0
        self.fleiss_units = 0
        for i, raters_of in self.ind.items():
            m = len(raters_of)
            if m >= 2:
                self.o00 += m * self.turns[i]
            if m == self.size:
                self.fleiss_units += self.turns[i]
        self.pair_units = {pair: sum(turns[i] for i in interviews) for pair, interviews in self.pair_interviews.items()}
        self.pairs_at: dict[str, list[tuple[str, str]]] = defaultdict(list)  # interview -> pairs rating it
        for pair, interviews in self.pair_interviews.items():
            for i in interviews:
                self.pairs_at[i].append(pair)
        self.ind_sets = {i: set(r) for i, r in self.ind.items()}

    def tally(self, applied: set[tuple[str, str, int]]) -> _Tally:
        """The tally of one code from the (rater, interview, turn) triples it was applied to."""
        tally = _Tally(fleiss_units=self.fleiss_units, o00=self.o00)
        by_unit: dict[tuple[str, int], set[str]] = defaultdict(set)
        for rater, i, t in applied:
            by_unit[(i, t)].add(rater)
        for (i, _), coders in by_unit.items():  # then what the codings change
            m = len(self.ind[i])
            k = len(coders & self.ind_sets[i])
            if m < 2 or k == 0:
                continue
            tally.o00 += (m - k) * (m - k - 1) / (m - 1) - m
            tally.o01 += k * (m - k) / (m - 1)
            tally.o11 += k * (k - 1) / (m - 1)
            if m == self.size:
                tally.fleiss_ones += k
                tally.fleiss_spread += (k * k + (m - k) ** 2 - m) / (m * (m - 1)) - 1
                tally.fleiss_split += k < m
        for pair, units in self.pair_units.items():
            tally.pairs[pair] = _Pair(units=units)
        for (i, _), coders in by_unit.items():
            for a, b in self.pairs_at.get(i, ()):
                pair = tally.pairs[(a, b)]
                pair.a += a in coders
                pair.b += b in coders
                pair.both += a in coders and b in coders
        return tally


def percent_agreement(units: list[tuple[int, ...]]) -> float:
    """Share of units on which every rater gave the same value (nan without units)."""
    return sum(len(set(u)) == 1 for u in units) / len(units) if units else math.nan


def cohen_kappa(a: list[int], b: list[int]) -> float:
    """Cohen's kappa of two raters (as scikit-learn computes it; nan when chance agreement is 1).

    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 6)
    0.5
    """
    n = len(a)
    labels = sorted(set(a) | set(b))
    observed = sum(x == y for x, y in zip(a, b)) / n
    expected = sum((a.count(k) / n) * (b.count(k) / n) for k in labels)
    return math.nan if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(units: list[tuple[int, ...]]) -> float:
    """Fleiss' kappa over units rated by the same number of raters (as statsmodels computes it;
    nan without units, with fewer than two raters, or when chance agreement is 1).

    >>> import math; math.isnan(fleiss_kappa([(1,), (0,)]))
    True
    """
    if not units or len(units[0]) < 2:
        return math.nan
    raters = len(units[0])
    categories = sorted({v for u in units for v in u})
    counts = [[u.count(k) for k in categories] for u in units]
    n_units = len(units)
    p_j = [sum(row[j] for row in counts) / (n_units * raters) for j in range(len(categories))]
    p_i = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    p_bar, p_e = sum(p_i) / n_units, sum(p * p for p in p_j)
    return math.nan if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha(data: list[list[int | None]]) -> float:
    """Krippendorff's alpha, nominal, raters × units with None for missing values (as the
    ``krippendorff`` package computes it; nan when there is no variation to agree on)."""
    coincidence: dict[tuple[int, int], float] = defaultdict(float)
    for unit in zip(*data) if data else []:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, x in enumerate(values):
            for j, y in enumerate(values):
                if i != j:
                    coincidence[(x, y)] += 1 / (m - 1)
    totals: dict[int, float] = defaultdict(float)
    for (x, _), w in coincidence.items():
        totals[x] += w
    n = sum(totals.values())
    if n <= 1:
        return math.nan
    observed = sum(w for (x, y), w in coincidence.items() if x != y)
    expected = sum(totals[x] * totals[y] for x in totals for y in totals if x != y) / (n - 1)
    return math.nan if expected == 0 else 1 - observed / expected

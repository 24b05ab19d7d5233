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
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from graph.store import GraphStore
from queries.runner import run_query

__all__ = ["AgreementRow", "PairRow", "agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
           "percent_agreement"]

MISSING = None
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


def agreement(store: GraphStore, interview: str | None = None, code: str | None = None,
              include_auto: bool = False, consensus: tuple[str, ...] = ()) -> tuple[list[AgreementRow], list[PairRow]]:
    """Agreement tables: one row per code (and ``(all codes)``), one row per code and rater pair.

    A rater is a coder's independent files, or a coder's consensus (moderation) files, shown as
    ``Name (consensus)``: the same person can code some interviews and moderate others.
    ``consensus`` names further coders to treat as consensus everywhere.
    """
    coders = run_query(store, "coders").as_dicts()
    if not include_auto:
        coders = [c for c in coders if c["coder"] != "auto"]
    if interview:
        coders = [c for c in coders if interview in (c["interview"], c["title"])]
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
    for row in run_query(store, "coded-units").as_dicts():
        key = (row["interview"], row["coder"])
        if row["interview"] in shared and key in rater:
            applied[row["code"]].add((rater[key], row["interview"], row["position"]))
    names = sorted({r for i in shared for r in by_interview[i]})
    codes = sorted(c for c in applied if code is None or c.casefold() == code.casefold())
    units = [(i, t) for i in sorted(shared) for t in range(turns[i])]

    def matrix(code_names: list[str], raters: list[str]) -> list[list[int | None]]:
        rows = []
        for name in raters:
            values = []
            for c in code_names:
                for i, t in units:
                    values.append(MISSING if name not in by_interview[i] else int((name, i, t) in applied[c]))
            rows.append(values)
        return rows

    independent = [n for n in names if not n.endswith(CONSENSUS)]
    table, pairs = [], []
    for label, code_names in [*((c, [c]) for c in codes), *([("(all codes)", codes)] if len(codes) > 1 else [])]:
        data = matrix(code_names, independent)
        rated = _equally_rated_units(data)
        table.append(AgreementRow(
            label, len(independent), len(rated), percent_agreement(rated),
            fleiss_kappa(rated), krippendorff_alpha(data),
        ))
        everyone = matrix(code_names, names)
        for (a, ra), (b, rb) in combinations(list(zip(names, everyone)), 2):
            both = [(x, y) for x, y in zip(ra, rb) if x is not None and y is not None]
            if both:
                pairs.append(PairRow(label, a, b, len(both), percent_agreement(both),
                                     cohen_kappa([x for x, _ in both], [y for _, y in both])))
    return table, pairs


def _equally_rated_units(data: list[list[int | None]]) -> list[tuple[int, ...]]:
    """The units rated by the most common number (two or more) of raters, each as its values:
    Fleiss' kappa needs the same number of ratings per unit, not the same raters."""
    units = [tuple(v for v in unit if v is not None) for unit in zip(*data)] if data else []
    sizes = Counter(len(u) for u in units if len(u) >= 2)
    if not sizes:
        return []
    size = max(sizes, key=lambda k: (sizes[k], k))
    return [u for u in units if len(u) == size]


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

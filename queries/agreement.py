"""Inter-coder agreement per code and overall: percent agreement, Cohen's kappa per coder pair,
Fleiss' kappa and Krippendorff's alpha (nominal, missing data allowed) across coders.

The units are the turns of every interview coded by two or more coders (the build aligns the
coders' files on the turns' text and warns about turns it could not align). A coder's value on
a unit is 1 if they applied the code to it, 0 if they coded that interview but not that turn, and
missing if they did not code the interview. Consensus (moderation) coders are compared with each
coder in the pairwise table and left out of the across-coder figures. Suggestions by ``auto``
are left out unless asked for.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from graph.store import GraphStore
from queries.runner import run_query

__all__ = ["AgreementRow", "PairRow", "agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
           "percent_agreement"]

MISSING = None


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
    """Agreement tables: one row per code (and ``(all codes)``), one row per code and coder pair."""
    coders = run_query(store, "coders").as_dicts()
    if not include_auto:
        coders = [c for c in coders if c["coder"] != "auto"]
    if interview:
        coders = [c for c in coders if interview in (c["interview"], c["title"])]
    by_interview: dict[str, list[str]] = defaultdict(list)
    turns: dict[str, int] = {}
    consensus_coders = {c["coder"] for c in coders if c["consensus"]} | set(consensus)
    for row in coders:
        by_interview[row["interview"]].append(row["coder"])
        turns[row["interview"]] = row["turns"]
    shared = {i for i, cs in by_interview.items() if len(cs) >= 2}
    applied: dict[str, set[tuple[str, str, int]]] = defaultdict(set)  # code -> (coder, interview, turn)
    for row in run_query(store, "coded-units").as_dicts():
        if row["interview"] in shared and (include_auto or row["coder"] != "auto"):
            applied[row["code"]].add((row["coder"], row["interview"], row["position"]))
    names = sorted({c for i in shared for c in by_interview[i]})
    codes = sorted(c for c in applied if code is None or c.casefold() == code.casefold())
    units = [(i, t) for i in sorted(shared) for t in range(turns[i])]

    def matrix(code_names: list[str], raters: list[str]) -> list[list[int | None]]:
        rows = []
        for rater in raters:
            values = []
            for c in code_names:
                for i, t in units:
                    values.append(MISSING if rater not in by_interview[i] else int((rater, i, t) in applied[c]))
            rows.append(values)
        return rows

    independent = [n for n in names if n not in consensus_coders]
    table, pairs = [], []
    for label, code_names in [*((c, [c]) for c in codes), *([("(all codes)", codes)] if len(codes) > 1 else [])]:
        data = matrix(code_names, independent)
        complete = [u for u in zip(*data) if None not in u] if data else []
        table.append(AgreementRow(
            label, len(independent), len(complete), percent_agreement(complete),
            fleiss_kappa(complete), krippendorff_alpha(data),
        ))
        everyone = matrix(code_names, names)
        for (a, ra), (b, rb) in combinations(list(zip(names, everyone)), 2):
            both = [(x, y) for x, y in zip(ra, rb) if x is not None and y is not None]
            if both:
                pairs.append(PairRow(label, a, b, len(both), percent_agreement(both),
                                     cohen_kappa([x for x, _ in both], [y for _, y in both])))
    return table, pairs


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
    """Fleiss' kappa over units rated by the same number of raters (as statsmodels computes it)."""
    if not units:
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

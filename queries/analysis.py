"""Method analyses over the graph: code saturation, co-occurrence and matrix tables.

Human codings only unless asked otherwise (the coder ``auto`` suggests, it does not code).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain, combinations
from typing import NamedTuple

import numpy as np
import pandas as pd

from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.graph.errors import QueryError
from challenge_graph.queries.runner import run_query
from challenge_graph.store.base import GraphStore

__all__ = [
    "Coding",
    "codings",
    "CodedTurns",
    "coded_turns",
    "SaturationRow",
    "saturation",
    "saturation_check",
    "cooccurrence",
    "participant_challenge_matrix",
    "stage_category_matrix",
]

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class SaturationRow:
    order: int
    interview: str
    new_codes: int
    codes: int
    new_challenges: int
    challenges: int


class Coding(NamedTuple):
    """One code applied by one coder to one turn."""

    interview: str
    position: int
    coder: str
    code: str
    kind: str


def codings(store: GraphStore, include_auto: bool = True) -> list[Coding]:
    """Every coding of a turn (the rows of coded-units, read through coded-turns, which groups
    them by code and coder: 25 times fewer rows to fetch); without ``include_auto``, the
    machine coders' suggestions are left out. Fetched once per graph version: the analyses
    that run one after another (the Method page runs three) share one fetch."""
    return [
        Coding(interview, position, coder, code, kind)
        for code, kind, coder, interviews, positions, _study in coded_turns(store, include_auto)
        for interview, position in zip(interviews, positions)
    ]


class CodedTurns(NamedTuple):
    """The turns one coder coded with one code: ``interviews[i]`` and ``positions[i]`` name a turn."""

    code: str
    kind: str
    coder: str
    interviews: list[str]
    positions: list[int]
    study: str  # the study of the code (and so of every turn listed)


_FETCHED: dict[tuple[str, str], tuple[CodedTurns, ...]] = {}  # (store, graph version) -> rows; the last only


def studies_coded(store: GraphStore) -> list[str]:
    """The studies with codings, in order: analyses run within each, never pooling them."""
    return sorted({row.study for row in coded_turns(store)})


def coded_turns(store: GraphStore, include_auto: bool = True, study: str | None = None) -> list[CodedTurns]:
    """The rows of coded-turns (the codings grouped by code and coder) of one ``study`` or all,
    fetched once per graph version; without ``include_auto``, the machine coders' rows are left out. Each row's
    excerpt ids are split into interviews and positions once, when fetched."""
    key = (store.describe(), store.version())
    found = _FETCHED.get(key)
    if found is None:
        found = tuple(_with_turns(*row) for row in _coded_turn_rows(store))
        _FETCHED.clear()
        _FETCHED[key] = found
    return [
        row
        for row in found
        if (include_auto or row.coder not in MACHINE_CODERS) and (study is None or row.study == study)
    ]


def _with_turns(code: str, kind: str, coder: str, excerpts: list[str], study: str) -> CodedTurns:
    """A coded-turns row with its excerpt ids (``interview-35:72``) split into interviews and positions."""
    split = [excerpt.rpartition(":") for excerpt in excerpts]
    return CodedTurns(code, kind, coder, [i for i, _, _ in split], [int(p) for _, _, p in split], study)


def _coded_turn_rows(store: GraphStore) -> list[tuple]:
    """coded-turns' rows; a clear error for a graph with codings written before the build stored
    them as this version does (``CodedTurns`` with ``excerpts``: LadybugDB has no such table or
    property, Neo4j finds no such node or a null)."""
    rows, failure = [], None
    try:
        rows = run_query(store, "coded-turns").rows
    except QueryError as e:
        if "CodedTurns" not in str(e) and "excerpts" not in str(e):  # any other failure is reported as it is
            raise
        failure = e
    if any(row[3] is None for row in rows):  # CodedTurns of an earlier version (Neo4j): no excerpts
        rows = []
    if not rows and store.run("MATCH ()-[r:CODED_AS]->() RETURN count(r) AS n").rows[0][0]:
        raise QueryError(
            "this graph was written by an earlier version of challenge-graph, without the coded turns "
            "the analyses read: load it again (challenge-graph load --replace with the same files)"
        ) from failure
    if failure is not None:
        raise failure
    return rows


def saturation(
    store: GraphStore, order: str = "interview", include_auto: bool = False, study: str | None = None
) -> list[SaturationRow]:
    """Cumulative distinct codes (and challenges) over the coded interviews in order, within one
    ``study``; with several studies and none given, each study's rows in turn, titles prefixed
    with the study (``jiang-2024: Interview 5``): codes of two studies are never pooled.

    ``order``: ``interview`` (titles in natural order: Interview 2 before Interview 10) or
    ``date`` (an ISO date in the source file name, as Delve names its exports; undated last).
    """
    studies = studies_coded(store)
    if study is None and len(studies) > 1:
        return [
            dataclasses.replace(row, interview=f"{s}: {row.interview}")
            for s in studies
            for row in saturation(store, order, include_auto, s)
        ]
    codes_of: dict[str, set[str]] = defaultdict(set)  # coded interviews only, in the order first met
    challenges_of: dict[str, set[str]] = defaultdict(set)
    for row in coded_turns(store, include_auto, study):
        for interview in dict.fromkeys(row.interviews):
            codes_of[interview].add(row.code)
            if row.kind == "challenge":
                challenges_of[interview].add(row.code)
    about = {r["interview"]: (r["title"], r["source"]) for r in run_query(store, "interviews").as_dicts()}
    interviews = {interview: about[interview] for interview in codes_of}

    def key(item):
        title, source = item[1]
        natural = [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", title)]
        if order == "date":
            match = _DATE.search(source or "")
            return (match is None, match.group(0) if match else "", natural)
        return (natural,)

    seen_codes: set[str] = set()
    seen_challenges: set[str] = set()
    out = []
    for n, (interview, (title, _)) in enumerate(sorted(interviews.items(), key=key), start=1):
        codes, challenges = codes_of[interview], challenges_of[interview]
        new_codes, new_challenges = codes - seen_codes, challenges - seen_challenges
        seen_codes |= codes
        seen_challenges |= challenges
        out.append(SaturationRow(n, title, len(new_codes), len(seen_codes), len(new_challenges), len(seen_challenges)))
    return out


def saturation_check(rows: list[SaturationRow], base: int = 4, run: int = 2) -> dict:
    """The base size + run length check: after ``base`` interviews, did the last ``run``
    interviews add no new code? Returns the counts it rests on."""
    tail = rows[base:][-run:] if len(rows) > base else []
    new = sum(r.new_codes for r in tail)
    return {
        "base": base,
        "run": run,
        "interviews": len(rows),
        "run_interviews": len(tail),
        "new_codes_in_run": new,
        "saturated": bool(tail) and len(tail) == run and new == 0,
    }


def cooccurrence(store: GraphStore, include_auto: bool = False, study: str | None = None) -> list[dict]:
    """Pairs of distinct codes applied to the same turns: count of shared turns and Jaccard
    (shared / turns with either), most shared first. A code never pairs with itself. Turns belong
    to one study, so pairs never cross studies; with several studies, codes are named
    ``study/code``."""
    rows = coded_turns(store, include_auto, study)
    if len({row.study for row in rows}) > 1:
        rows = [row._replace(code=f"{row.study}/{row.code}") for row in rows]
    codes = sorted({row.code for row in rows})
    if not codes:
        return []
    # every coding as numbers: its turn (interview and position) and its code, in code order
    lengths = np.fromiter((len(row.interviews) for row in rows), dtype=np.int64, count=len(rows))
    index = {code: k for k, code in enumerate(codes)}
    code_of = np.repeat(np.fromiter((index[row.code] for row in rows), dtype=np.int64, count=len(rows)), lengths)
    interview_of = pd.factorize(np.array(list(chain.from_iterable(row.interviews for row in rows)), dtype=object))[0]
    position_of = np.fromiter(chain.from_iterable(row.positions for row in rows), dtype=np.int64, count=len(code_of))
    turn_of = interview_of.astype(np.int64) * (int(position_of.max()) + 1) + position_of
    turn, code = np.divmod(np.unique(turn_of * len(codes) + code_of), len(codes))  # each (turn, code) once
    turns = np.bincount(code, minlength=len(codes)).tolist()  # turns with each code
    starts = np.flatnonzero(np.r_[True, turn[1:] != turn[:-1]])  # a turn's codes follow each other
    sizes = np.diff(np.r_[starts, len(turn)])
    shared: Counter[tuple[int, int]] = Counter()
    code_list = code.tolist()
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        shared.update(combinations(code_list[start : start + size], 2))  # pairs counted where they meet
    pairs = [
        {"code_a": codes[a], "code_b": codes[b], "shared": n, "jaccard": n / (turns[a] + turns[b] - n)}
        for (a, b), n in shared.items()
    ]
    return sorted(pairs, key=lambda p: (-p["shared"], -p["jaccard"], p["code_a"], p["code_b"]))


def participant_challenge_matrix(store: GraphStore) -> tuple[list[str], list[str], list[list[int]]]:
    """Participants × challenges: quotes of each participant coded with each challenge."""
    rows = store.run(
        "MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:Challenge) WHERE NOT r.coder IN $machine "
        "RETURN p.pseudonym AS participant, c.code AS challenge, count(DISTINCT e) AS quotes "
        "ORDER BY participant, challenge",
        {"machine": list(MACHINE_CODERS)},
    ).rows
    return _pivot(rows)


def stage_category_matrix(store: GraphStore) -> tuple[list[str], list[str], list[list[int]]]:
    """Stages × categories: challenges coded at each stage in each category."""
    rows = [(r["stage"], r["category"], r["challenges"]) for r in run_query(store, "stage-category-matrix").as_dicts()]
    return _pivot(rows, keep_row_order=True)


def _pivot(rows, keep_row_order: bool = False):
    row_names = list(dict.fromkeys(r[0] for r in rows)) if keep_row_order else sorted({r[0] for r in rows})
    columns = sorted({r[1] for r in rows})
    cells = {(r[0], r[1]): r[2] for r in rows}
    return row_names, columns, [[cells.get((r, c), 0) for c in columns] for r in row_names]

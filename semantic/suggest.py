"""Suggest codes for uncoded participant turns from the study's own codings: a k-nearest-
neighbour vote among the coded turns, with a threshold (coder ``auto-semantic``).

Like the keyword rules' coder ``auto``, suggestions are never evidence: the graph's counts and
the queries leave them out unless asked to show them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from challenge_graph.graph.autocode import AUTO_SEMANTIC
from challenge_graph.graph.graph_data import GraphData, excerpt_place
from challenge_graph.graph.model import DEFAULT_STUDY
from challenge_graph.semantic.search import top_k
from challenge_graph.semantic.vectors import ExcerptVectors, human_codes

__all__ = ["AUTO_SEMANTIC", "K", "THRESHOLD", "MAX_CODES", "MIN_SIMILARITY", "MIN_WORDS", "Reference", "vote"]
__all__ += ["human_codes", "suggest_graph"]

K = 10  # coded neighbours that vote
THRESHOLD = 0.35  # share of the neighbours' similarity a code needs to be suggested
MAX_CODES = 3  # suggestions per turn at most
MIN_SIMILARITY = 0.3  # neighbours less similar than this do not vote
MIN_WORDS = 6  # shorter turns ("Yes.", "Right, okay.") get no suggestion: too little to go on


@dataclass
class Reference:
    """Coded turns to vote with: unit vectors, the human codes of each, and its interview."""

    matrix: np.ndarray
    codes: list[tuple[str, ...]]
    interviews: list[str]

    @classmethod
    def from_graph(cls, graph: GraphData, vectors: ExcerptVectors, study: str | None = None) -> Reference:
        """The participant turns of ``graph`` that a human coded (of one ``study`` when given:
        a study's turns are coded with its own codebook only)."""
        codes = human_codes(graph)
        rows = vectors.row()
        excerpts = graph.table("Excerpt")
        study_of = _study_of_excerpt(graph)
        chosen = [e for e in vectors.ids if e in codes and (study is None or study_of(e) == study)]
        matrix = vectors.matrix[[rows[e] for e in chosen]] if chosen else np.zeros((0, vectors.matrix.shape[1]))
        return cls(
            np.asarray(matrix, dtype=np.float32),
            [tuple(sorted(codes[e])) for e in chosen],
            [excerpts[e]["interview"] for e in chosen],
        )


def vote(
    reference: Reference,
    vector: np.ndarray,
    skip_interview: str | None = None,
    k: int = K,
    min_similarity: float = MIN_SIMILARITY,
    skip_row: int | None = None,
) -> list[tuple[str, float]]:
    """Codes ranked by the similarity-weighted vote of the ``k`` nearest coded turns (not of
    ``skip_interview``, not row ``skip_row``), each with its share of the votes (0..1), best first.

    >>> ref = Reference(np.eye(3, dtype=np.float32), [("A",), ("A", "B"), ("C",)], ["i1", "i2", "i3"])
    >>> vote(ref, np.array([0.8, 0.6, 0.0], dtype=np.float32), k=2)
    [('A', 1.0), ('B', 0.43)]
    """
    allowed = None
    if skip_interview is not None:
        allowed = np.array([i != skip_interview for i in reference.interviews], dtype=bool)
    if skip_row is not None:  # the turn itself, when it is among the coded ones (evaluation)
        allowed = np.ones(len(reference.codes), dtype=bool) if allowed is None else allowed
        allowed[skip_row] = False
    neighbours = [(i, s) for i, s in top_k(reference.matrix, vector, k, allowed) if s >= min_similarity]
    total = sum(s for _, s in neighbours)
    if not neighbours or total <= 0:
        return []
    weight: dict[str, float] = defaultdict(float)
    for i, s in neighbours:
        for code in reference.codes[i]:
            weight[code] += s
    return sorted(((c, round(w / total, 2)) for c, w in weight.items()), key=lambda cw: (-cw[1], cw[0]))


def _study_of_excerpt(graph: GraphData) -> Callable[[str], str]:
    """Excerpt id -> the study of its interview."""
    interviews = graph.nodes.get("Interview", {})
    return lambda e: interviews.get(excerpt_place(e)[0], {}).get("study", DEFAULT_STUDY)


def suggest_graph(
    graph: GraphData,
    vectors: ExcerptVectors,
    reference: Reference | None = None,
    threshold: float = THRESHOLD,
    max_codes: int = MAX_CODES,
) -> dict[str, list[tuple[str, float]]]:
    """Excerpt id → suggested codes with their vote share, for every participant turn of
    ``graph`` that no human coded (neighbours: the coded turns of ``reference``, by default
    those of ``graph`` itself)."""
    coded = human_codes(graph)
    excerpts = graph.table("Excerpt")
    study_of = _study_of_excerpt(graph)
    references: dict[str, Reference] = {}
    out = {}
    for i, excerpt in enumerate(vectors.ids):
        if excerpt in coded or len(excerpts[excerpt]["text"].split()) < MIN_WORDS:
            continue
        study = study_of(excerpt)
        if study not in references:  # neighbours from the excerpt's own study
            references[study] = reference if reference is not None else Reference.from_graph(graph, vectors, study)
        ranked = [
            (c, share) for c, share in vote(references[study], np.asarray(vectors.matrix[i])) if share >= threshold
        ]
        if ranked:
            out[excerpt] = ranked[:max_codes]
    return out

"""Nearest participant quotes to a text or to a quote, on either store.

Embedded: an exact search (one matrix product over every vector, NumPy). Neo4j: an exact
search on the server up to ``EXACT_UP_TO`` turns, beyond that the vector index
(``db.index.vector.queryNodes``, approximate); with a code or stage filter, an exact search over
the matching excerpts' stored vectors, so a filter never hides a match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.semantic import cypher
from challenge_graph.semantic.vectors import ExcerptVectors, read
from challenge_graph.store.base import GraphStore

__all__ = ["Hit", "search", "more_like", "nearest", "top_k"]

CANDIDATES = 4  # Neo4j: index candidates per quote asked for, before the exact ranking
EXACT_UP_TO = 5_000  # Neo4j: up to this many turns, every vector is scored (0.3 s at 5,000 vectors, 0.9 s at 20,000)


@dataclass(frozen=True)
class Hit:
    """A quote found, with where it stands and how close it is (cosine similarity, -1..1)."""

    score: float
    speaker: str
    interview: str
    line: int
    codes: tuple[str, ...]
    quote: str
    excerpt: str
    page: int = 0  # the page of a PDF (line is 0 then)


def top_k(matrix: np.ndarray, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Rows of ``matrix`` closest to ``vector`` by dot product, best first (ties by row).

    >>> m = np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=np.float32)
    >>> [(i, round(s, 2)) for i, s in top_k(m, np.array([1, 0], dtype=np.float32), 2)]
    [(0, 1.0), (1, 0.6)]
    """
    scores = np.asarray(matrix @ vector, dtype=np.float32)
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((best, -scores[best]))]
    return [(int(i), float(scores[i])) for i in best]


def nearest(
    store: GraphStore,
    vector: np.ndarray,
    limit: int = 10,
    code: str | None = None,
    stage: str | None = None,
    exclude: frozenset[str] = frozenset(),
    vectors: ExcerptVectors | None = None,
) -> list[Hit]:
    """The ``limit`` participant quotes nearest to ``vector``, optionally only those a human
    coded with ``code`` or with a code at ``stage`` (and its sub-stages)."""
    if store.dialect == "neo4j" and code is None and stage is None and vectors is None:
        return _hits(store, _neo4j_nearest(store, limit, vector, exclude))
    vectors = vectors if vectors is not None else read(store)
    if vectors is None:
        raise ChallengeGraphError(
            f"{store.describe()} has no excerpt vectors yet: load the files again with --semantic"
        )
    if vectors.codes is not None:  # embedded: the codes are kept with the vectors, no graph traversal
        allowed = _allowed_by_codes(store, vectors, code, stage, exclude)
        return _fast_hits(store, vectors, top_k(vectors.matrix, vector, limit, allowed))
    candidates = _candidates(store, code, stage)
    allowed = None
    if candidates is not None or exclude:
        keep = candidates if candidates is not None else set(vectors.ids)
        allowed = np.fromiter((e in keep and e not in exclude for e in vectors.ids), bool, len(vectors.ids))
    return _hits(store, [(vectors.ids[i], s) for i, s in top_k(vectors.matrix, vector, limit, allowed)])


def search(store: GraphStore, encoder, text: str, limit: int = 10, code: str | None = None, stage: str | None = None):
    """The participant quotes nearest in meaning to ``text`` (see :func:`nearest`)."""
    if not text.strip():
        raise ChallengeGraphError("search needs some text")
    return nearest(store, encoder.encode([text])[0], limit, code, stage)


def more_like(store: GraphStore, excerpt: str, limit: int = 10, code: str | None = None, stage: str | None = None):
    """The quotes nearest to the stored quote ``excerpt`` (itself left out)."""
    vectors = read(store)
    if vectors is None or excerpt not in (rows := vectors.row()):
        raise ChallengeGraphError(f"no vector for excerpt {excerpt!r} (only participants' turns have one)")
    return nearest(store, np.asarray(vectors.matrix[rows[excerpt]]), limit, code, stage, frozenset({excerpt}), vectors)


def _neo4j_nearest(store, limit: int, vector: np.ndarray, exclude: frozenset[str]) -> list[tuple[str, float]]:
    """The nearest excerpts on Neo4j: scored on the server, or for a large study by the vector
    index, ``CANDIDATES`` times more than asked for (the index is approximate and quantises);
    either way ranked again by the exact cosine of their stored vectors. The queries go to the
    driver in read transactions (fixed text, parameters): the analyst allow-list of
    ``store.run`` refuses procedure calls."""
    import neo4j

    def fetch(query: str, params: dict) -> list:
        return store.driver.execute_query(
            query, params, database_=store.database, routing_=neo4j.RoutingControl.READ
        ).records

    exact = fetch(cypher.EXCERPT_COUNT_NEO4J, {})[0]["excerpts"] <= EXACT_UP_TO
    records = fetch(
        cypher.NEAREST_EXACT_NEO4J if exact else cypher.NEAREST_NEO4J,
        {"k": max(CANDIDATES * (limit + len(exclude)), 50), "vector": vector.tolist()},
    )
    rows = [r for r in records if r["excerpt"] not in exclude]
    if not rows:
        return []
    matrix = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
    return [(rows[i]["excerpt"], s) for i, s in top_k(matrix, vector, limit)]


def _allowed_by_codes(
    store: GraphStore, vectors: ExcerptVectors, code: str | None, stage: str | None, exclude: frozenset[str]
) -> np.ndarray | None:
    """Rows the filters allow, from the codes kept with the vectors (None: every row)."""
    if code is None and stage is None and not exclude:
        return None
    allowed = np.ones(len(vectors.ids), dtype=bool)
    for value, queries, key in ((code, cypher.CODES_NAMED, "code"), (stage, cypher.CODES_AT_STAGE, "stage")):
        if value is None:
            continue
        wanted = {row[0] for q in queries.values() for row in store.run(q, {key: value.strip().casefold()}).rows}
        allowed &= np.fromiter((not wanted.isdisjoint(c) for c in vectors.codes), bool, len(vectors.ids))
        if not allowed.any():
            raise ChallengeGraphError(f"no participant quote is coded with {key} {value!r}")
    for excerpt in exclude:
        allowed[vectors.ids.index(excerpt)] = False
    return allowed


def _fast_hits(store: GraphStore, vectors: ExcerptVectors, scored: list[tuple[int, float]]) -> list[Hit]:
    """Hits of the embedded store: rows by primary key, codes from the vectors' file."""
    if not scored:
        return []
    found = store.run(cypher.EXCERPTS, {"ids": [vectors.ids[i] for i, _ in scored]}).as_dicts()
    rows = {r["excerpt"]: r for r in found}
    titles = dict(store.run(cypher.TITLES, {"ids": sorted({r["interview"] for r in rows.values()})}).rows)
    return [
        Hit(
            round(score, 4),
            row["speaker"],
            titles.get(row["interview"], row["interview"]),
            row["line"],
            tuple(vectors.codes[i]),
            row["quote"],
            row["excerpt"],
            row.get("page") or 0,
        )
        for i, score in scored
        if (row := rows.get(vectors.ids[i])) is not None  # a vector whose excerpt a newer load removed
    ]


def _candidates(store: GraphStore, code: str | None, stage: str | None) -> set[str] | None:
    """Excerpts the filters allow (None: no filter)."""
    found: set[str] | None = None
    for value, query in ((code, cypher.CODED_WITH), (stage, cypher.AT_STAGE)):
        if value is None:
            continue
        key = "code" if query is cypher.CODED_WITH else "stage"
        ids = {
            row[0] for row in store.run(query, {key: value.strip().casefold(), "machine": cypher.MACHINE_CODERS}).rows
        }
        if not ids:
            raise ChallengeGraphError(f"no participant quote is coded with {key} {value!r}")
        found = ids if found is None else found & ids
    return found


def _hits(store: GraphStore, scored: list[tuple[str, float]]) -> list[Hit]:
    if not scored:
        return []
    rows = {
        row["excerpt"]: row
        for row in store.run(cypher.HITS, {"ids": [e for e, _ in scored], "machine": cypher.MACHINE_CODERS}).as_dicts()
    }
    return [
        Hit(
            round(score, 4),
            rows[e]["speaker"],
            rows[e]["interview"],
            rows[e]["line"],
            tuple(sorted(c for c in rows[e]["codes"] if c)),
            rows[e]["quote"],
            e,
            rows[e].get("page") or 0,
        )
        for e, score in scored
        if e in rows  # a vector whose excerpt a newer load removed
    ]

"""Semantic search on Neo4j: vectors on Excerpt nodes, the vector index, the same hits as the
embedded store (a real Neo4j 5 server; see tests/conftest.py's neo4j_env)."""

from __future__ import annotations

import neo4j
import pytest

from challenge_graph.pipeline.ingest import ingest
from challenge_graph.semantic import search as search_module
from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.search import more_like, search
from challenge_graph.semantic.vectors import has_vectors, read
from tests.conftest import EXAMPLES


def _write(store, cypher):
    store.driver.execute_query(cypher, database_=store.database, routing_=neo4j.RoutingControl.WRITE)


@pytest.fixture
def neo4j_semantic(neo4j_store, semantic_store):
    """The examples on Neo4j with vectors; afterwards the vectors and the index are removed, so
    that later loads of the shared test database do not keep vectors up to date."""
    report = ingest(neo4j_store, [EXAMPLES], replace=True, semantic=True)
    assert not report.rejected
    yield neo4j_store
    _write(neo4j_store, "MATCH (e:Excerpt) REMOVE e.embedding, e.textHash, e.embeddingModel")
    _write(neo4j_store, "DROP INDEX excerpt_embedding IF EXISTS")


def test_vectors_and_index_on_neo4j(neo4j_semantic, semantic_store):
    on_neo4j, embedded = read(neo4j_semantic), read(semantic_store)
    assert sorted(on_neo4j.ids) == sorted(embedded.ids)
    assert on_neo4j.model == embedded.model
    records, _, _ = neo4j_semantic.driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, labelsOrTypes, properties, state, populationPercent "
        "RETURN name, labelsOrTypes, properties, state, populationPercent",
        database_=neo4j_semantic.database,
    )
    # complete as soon as the load returns: a search straight after it sees every quote
    assert [tuple(r.values()) for r in records] == [("excerpt_embedding", ["Excerpt"], ["embedding"], "ONLINE", 100.0)]
    messages = []
    ingest(neo4j_semantic, [EXAMPLES], progress=messages.append)  # a store with vectors keeps them
    assert not [m for m in messages if m.startswith("encoding ")]  # every text was known
    assert has_vectors(neo4j_semantic)


def test_same_hits_as_the_embedded_store(neo4j_semantic, semantic_store):
    text = "the labels were inconsistent between annotators"
    hits = search(neo4j_semantic, encoder(), text, limit=5)  # the load waited for the index to be complete
    expected = search(semantic_store, encoder(), text, limit=50)
    exact = {h.excerpt: h for h in expected}
    # a study of this size is searched exactly on the server, then ranked again by the stored vectors
    assert [h.excerpt for h in hits] == [h.excerpt for h in expected[:5]]
    for hit in hits:
        assert hit.score == pytest.approx(exact[hit.excerpt].score, abs=1e-3)
        assert hit.score >= expected[4].score - 1e-3
        same = exact[hit.excerpt]
        assert (hit.speaker, hit.interview, hit.line) == (same.speaker, same.interview, same.line)
        assert hit.codes == same.codes
    filtered = search(neo4j_semantic, encoder(), text, limit=5, code="Data-low-quality")
    assert [h.excerpt for h in filtered] == [
        h.excerpt for h in search(semantic_store, encoder(), text, limit=5, code="Data-low-quality")
    ]
    like = more_like(neo4j_semantic, expected[0].excerpt, limit=3)
    assert [h.excerpt for h in like] == [h.excerpt for h in more_like(semantic_store, expected[0].excerpt, limit=3)]


def test_a_large_study_is_searched_through_the_vector_index(neo4j_semantic, semantic_store, monkeypatch):
    monkeypatch.setattr(search_module, "EXACT_UP_TO", 0)  # as if the study had more quotes than that
    text = "the labels were inconsistent between annotators"
    hits = search(neo4j_semantic, encoder(), text, limit=5)
    exact = {h.excerpt: h for h in search(semantic_store, encoder(), text, limit=300)}
    ranked = list(exact)
    # the index is approximate (HNSW, quantised): its candidates are ranked again by their exact cosine
    assert len(hits) == 5 and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.score == pytest.approx(exact[hit.excerpt].score, abs=1e-3)
        assert ranked.index(hit.excerpt) < 10  # near neighbours, if not always the very nearest
    assert len({h.excerpt for h in hits} & set(ranked[:5])) >= 4

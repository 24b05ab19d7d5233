"""Every named query returns the same rows on every store available.

The embedded store always runs. Neo4j runs when NEO4J_URI (with NEO4J_USERNAME, NEO4J_PASSWORD,
NEO4J_DATABASE) names a server; this suite then loads the examples there with --replace, which
only touches challenge-graph's labels.
"""
from __future__ import annotations

import os

import pytest

from graph.ladybug_store import LadybugStore
from loaders.ingest import ingest
from queries.runner import list_queries, run_query
from tests.conftest import EXAMPLES

PARAMS = {"stage": "loss function", "challenge": "QM-robustness", "participant": "Leader 4",
          "excerpt": "interview-35:72"}
UNORDERED = {"network-stage", "network-challenge", "network-participant", "network-workflow", "corpus-summary"}


@pytest.fixture(scope="module", params=["ladybug", "neo4j"])
def store(request, tmp_path_factory):
    if request.param == "ladybug":
        store = LadybugStore(tmp_path_factory.mktemp("portable") / "db")
    else:
        if not os.environ.get("NEO4J_URI"):
            pytest.skip("NEO4J_URI is not set: the Neo4j half of the portability suite needs a server")
        from graph.neo4j_store import Neo4jStore

        store = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USERNAME", "neo4j"),
                                   os.environ.get("NEO4J_PASSWORD", ""), os.environ.get("NEO4J_DATABASE", "neo4j"))
    ingest(store, [EXAMPLES], replace=True)
    yield store
    store.close()


def _rows(store, query):
    params = {p.name: PARAMS[p.name] for p in query.params if p.required}
    rows = run_query(store, query.name, params).rows
    return sorted(rows, key=repr) if query.name in UNORDERED else rows


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_query_returns_the_same_rows_on_every_store(store, sample_store, query):
    assert _rows(store, query) == _rows(sample_store, query)


def test_loading_again_is_idempotent_on_every_store(store):
    before = sorted(run_query(store, "corpus-summary").rows)
    ingest(store, [EXAMPLES])
    assert sorted(run_query(store, "corpus-summary").rows) == before

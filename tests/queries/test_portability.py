"""Every named query and every analysis command gives the same rows on Neo4j as on the embedded
store, both loaded from the same files: the examples, the examples with the codebook's suggestions
(coder auto: LadybugDB 0.22 once dropped a query's filter on the coder where Neo4j kept it), and
the examples with the sample Delve PDFs (three interviews coded by two coders and moderated, so
agreement has something to measure)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.runner import list_queries, run_query
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES, FIXTURES

CORPORA = {
    "examples": [EXAMPLES],
    "examples+suggestions": [EXAMPLES],
    "examples+delve-pdf": [EXAMPLES, FIXTURES / "delve-pdf"],
}
AUTOCODE = {"examples+suggestions"}  # loaded with the codebook's suggestions
PARAMS = {
    "stage": "jiang-2024/loss-function",  # "loss function" is a stage of two studies with the PDFs
    "challenge": "QM-robustness",
    "participant": "Leader 4",
    "excerpt": "cote-2024/interview-35:72",  # the examples are two studies: ids carry the study
}
UNORDERED = {"network-stage", "network-challenge", "network-participant", "network-workflow", "corpus-summary"}
ANALYSES = [
    ["agreement"],
    ["agreement", "--include-auto"],
    ["saturation"],
    ["cooccurrence"],
    ["matrix", "participant-challenge"],
    ["matrix", "stage-category"],
]


@pytest.fixture(scope="module", params=list(CORPORA))
def pair(request, neo4j_store, tmp_path_factory):
    """(embedded, Neo4j, embedded folder), both loaded from the same files."""
    embedded = LadybugStore(tmp_path_factory.mktemp("portable") / "db")
    for store in (embedded, neo4j_store):
        report = ingest(store, CORPORA[request.param], replace=True, autocode=request.param in AUTOCODE)
        assert not report.rejected
    yield embedded, neo4j_store, embedded.path
    embedded.close()


def _rows(store, query):
    params = {p.name: PARAMS[p.name] for p in query.params if p.required}
    rows = run_query(store, query.name, params).rows
    return sorted(rows, key=repr) if query.name in UNORDERED else rows


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_query_returns_the_same_rows_on_neo4j(pair, query):
    embedded, neo4j, _ = pair
    expected = _rows(embedded, query)
    assert _rows(neo4j, query) == expected


def test_the_corpora_are_not_trivial(pair):
    embedded, neo4j, _ = pair
    summary = dict(run_query(neo4j, "corpus-summary").rows)
    assert summary == dict(run_query(embedded, "corpus-summary").rows)
    assert summary["interviews"] >= 4 and summary["coded_excerpts"] > 50


def _same(a, b):
    """Equal JSON, floats to 1e-9 (sums may add up in another order), nan equal to nan."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("command", ANALYSES, ids=" ".join)
def test_analysis_commands_agree_on_neo4j(pair, neo4j_env, command):
    _, _, folder = pair
    runner = CliRunner()
    embedded = runner.invoke(cli, [*command, "--format", "json", "--db", str(folder)])
    on_neo4j = runner.invoke(cli, [*command, "--format", "json", "--neo4j"], env=neo4j_env)
    assert on_neo4j.exit_code == embedded.exit_code, on_neo4j.output
    if embedded.exit_code:  # e.g. no interview with two coders: the same message on both
        assert on_neo4j.output == embedded.output and embedded.output.startswith("Error: ")
        return
    expected, end = json.JSONDecoder().raw_decode(embedded.output)
    actual, neo4j_end = json.JSONDecoder().raw_decode(on_neo4j.output)
    assert _same(actual, expected), f"{' '.join(command)} differs on Neo4j"
    assert on_neo4j.output[neo4j_end:] == embedded.output[end:]  # a verdict line after the table
    assert expected  # something to compare


def test_loading_again_is_idempotent_on_neo4j(pair, request):
    _, neo4j, _ = pair
    before = sorted(run_query(neo4j, "corpus-summary").rows)
    ingest(neo4j, [EXAMPLES], autocode=request.node.callspec.params["pair"] in AUTOCODE)  # as it was loaded
    assert sorted(run_query(neo4j, "corpus-summary").rows) == before

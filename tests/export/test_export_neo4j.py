"""GraphML exports from a live Neo4j have the same nodes and edges, with the same attributes,
as the embedded store's exports of the same files, for every kind of selection."""

from __future__ import annotations

import networkx as nx
import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli

SELECTIONS = {
    "whole workflow": [],
    "stage": ["--stage", "loss function"],
    "challenge": ["--challenge", "QM-robustness", "--with-quotes"],
    "participant": ["--participant", "Leader 4"],
    "query": ["--query", "challenges-at-stage", "--param", "stage=evaluation"],
}


def _graph(path):
    graph = nx.read_graphml(path)
    nodes = {n: dict(a) for n, a in graph.nodes(data=True)}
    edges = sorted((u, v, sorted(a.items())) for u, v, a in graph.edges(data=True))
    return nodes, edges


@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_graphml_from_neo4j_equals_the_embedded_export(selection, neo4j_examples, neo4j_env, sample_store, tmp_path):
    runner = CliRunner()
    embedded, on_neo4j = tmp_path / "embedded.graphml", tmp_path / "neo4j.graphml"
    args = SELECTIONS[selection]
    first = runner.invoke(cli, ["export", str(embedded), *args, "--db", str(sample_store.path)])
    second = runner.invoke(cli, ["export", str(on_neo4j), *args, "--neo4j"], env=neo4j_env)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    expected_nodes, expected_edges = _graph(embedded)
    nodes, edges = _graph(on_neo4j)
    assert nodes == expected_nodes and edges == expected_edges
    assert len(expected_nodes) >= 3 and expected_edges

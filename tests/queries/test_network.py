from __future__ import annotations

import re

from challenge_graph.export.html import network_html
from challenge_graph.queries.network import limit_nodes, neighbourhood


def test_stage_neighbourhood(sample_store):
    g = neighbourhood(sample_store, "stage", "loss function")
    assert sorted(g.nodes) == [
        "Challenge:loss-complexity",
        "Challenge:loss-differential-testing",
        "Participant:leader-4",
        "Stage:loss-function",
        "Tool:anonymized-dl-framework-2",
        "Tool:anonymized-modelname",
    ]
    assert g.nodes["Participant:leader-4"] == {
        "kind": "Participant",
        "id": "leader-4",
        "label": "Leader 4",
        "evidence": 2,
    }
    assert g.nodes["Stage:loss-function"]["evidence"] == 2
    assert (g.nodes["Stage:loss-function"]["position"], g.nodes["Stage:loss-function"]["parent"]) == (
        6,
        "implementation",
    )
    assert g.edges["Participant:leader-4", "Challenge:loss-complexity"] == {"relation": "REPORTED", "weight": 1}


def test_challenge_neighbourhood_has_fix_and_evidence(sample_store):
    g = neighbourhood(sample_store, "challenge", "QM-robustness")
    assert g.nodes["Challenge:qm-robustness"]["evidence"] == 4
    assert g.edges["Fix:qm-robustness-fix", "Challenge:qm-robustness"]["relation"] == "ADDRESSES"


def test_workflow_network_and_node_limit(sample_store):
    g = neighbourhood(sample_store)
    assert g.number_of_nodes() == 61
    assert {d["kind"] for _, d in g.nodes(data=True)} == {"Stage", "Challenge", "Fix", "Practice"}
    small = limit_nodes(g, 30)
    assert small.number_of_nodes() == 30 and small.graph["total"] == 61
    codes = sorted((n for n, d in g.nodes(data=True) if d["kind"] != "Stage"), key=lambda n: -g.nodes[n]["evidence"])
    assert set(codes[:10]) <= set(small)  # the most evidenced are kept
    for node in small:  # each with the stage it stands at
        assert all(
            s in small for s in g.successors(node) if g.nodes[node]["kind"] != "Stage" and g.nodes[s]["kind"] == "Stage"
        )


def test_participant_network_uses_pseudonyms_only(sample_store):
    g = neighbourhood(sample_store, "participant", "Interviewee (Interview 35)")
    people = [d["label"] for _, d in g.nodes(data=True) if d["kind"] == "Participant"]
    assert people == ["Interviewee (Interview 35)"]
    assert "Ilan" not in {d["label"] for _, d in g.nodes(data=True)}  # the coder is not a node here


def test_html_is_self_contained(sample_store):
    page = network_html(neighbourhood(sample_store, "stage", "loss"))
    assert not re.findall(r"(?:src|href)=\"https?://", page)
    assert "new vis.Network" in page and "Leader 4" in page


def test_html_escapes_labels_from_input_files():
    import networkx as nx

    g = nx.DiGraph()
    g.add_node("Challenge:x", kind="Challenge", id="x", label="<img src=x onerror=alert(1)>", evidence=1)
    page = network_html(g)
    # the tooltip (shown as HTML by vis-network) holds the escaped text, JSON-encoded
    assert '"title": "Challenge: \\u0026lt;img src=x onerror=alert(1)\\u0026gt;' in page


def test_a_participant_reporting_a_challenge_in_two_interviews_is_one_edge(empty_store):
    """The build stores a REPORTED per interview, each with the participant's total over all of
    them (graph/aggregates.py): the stage's network has one edge of that weight, not one each."""
    from challenge_graph.graph.graph_data import GraphData
    from challenge_graph.graph.model import SourceFile
    from challenge_graph.queries.runner import run_query

    graph = GraphData()
    graph.add_node("Stage", {"id": "training", "name": "Training", "position": 1, "aliases": []})
    graph.add_node("Challenge", {"id": "drift", "name": "Drift", "code": "drift", "kind": "challenge"})
    graph.add_node("Participant", {"id": "p-1", "pseudonym": "P1"})
    graph.add_rel("AT_STAGE", ("Challenge", "drift"), ("Stage", "training"))
    for interview, quotes in (("i-1", 2), ("i-2", 3)):
        graph.add_rel(
            "REPORTED",
            ("Participant", "p-1"),
            ("Challenge", "drift"),
            interview=interview,
            quotes=quotes,
            allInterviews=5,
        )
    empty_store.replace_graph(graph, [], SourceFile("codebook.yaml", b"codes: {}\n", "codebook.yaml"))
    reported = [
        r
        for r in run_query(empty_store, "network-stage", {"stage": "training"}).as_dicts()
        if r["relation"] == "REPORTED"
    ]
    assert [(r["source"], r["target"], r["weight"]) for r in reported] == [("p-1", "drift", 5)]

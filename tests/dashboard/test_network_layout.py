"""The network view's layout before any browser: labels wrapped between words, fixes beside the
challenge they address, a column for codes at no stage, lines that cross no box (or are held
back until pointed at)."""

from __future__ import annotations

import re

import networkx as nx
import pytest

from challenge_graph.export.html import crossing_edges, drawn_lines, legend_html, network_html
from challenge_graph.export.web_layout import BOX, LABEL, box_size, label_lines, text_width, web_layout
from challenge_graph.queries.network import neighbourhood

LABELS = [
    "ANONYMIZED_DL_FRAMEWORK_2",
    "interviewee (Interview 10)",
    "Loss function is hard to implement and test",
    "Monitoring and maintenance: drift",
    "Check an implementation is explainable and re-trainable on open data, by others, later",
    "averyveryverylongwordwithoutanyplacetobreakitatall",
    "camelCaseIdentifierThatIsFarTooLongForOneLine",
]


@pytest.mark.parametrize("label", LABELS)
def test_labels_wrap_between_words_and_fit_their_box(label):
    lines = label_lines(label)
    assert 1 <= len(lines) <= 3 and all(text_width(line) <= LABEL for line in lines)
    pos = 0
    for n, line in enumerate(lines):
        while label[pos] == " ":
            pos += 1
        whole = line.removesuffix("…") if n == len(lines) - 1 else line
        assert label.startswith(whole, pos), (label, lines)
        pos += len(whole)
        if n < len(lines) - 1:  # a break between words, after a separator, or between lower and upper case
            word = label[:pos].rsplit(" ", 1)[-1] + label[pos:].split(" ", 1)[0]
            breakable = re.search(r"[_\-/.]|[a-z][A-Z]", word)
            assert (
                label[pos] == " "
                or label[pos - 1] in "_-/."
                or (label[pos - 1].islower() and label[pos].isupper())
                or not breakable
            ), (label, lines)
    if not lines[-1].endswith("…"):
        assert pos == len(label)  # nothing lost
    assert label_lines("ANONYMIZED_DL_FRAMEWORK_2 of a team") == ["ANONYMIZED_DL_", "FRAMEWORK_2 of a team"]


def test_fixes_stand_beside_the_challenge_they_address(sample_store):
    graph = neighbourhood(sample_store, "workflow")
    layout = web_layout(graph)
    for fix, challenge, d in graph.edges(data=True):
        if d["relation"] != "ADDRESSES" or (fix, challenge) not in layout.straight:
            continue
        (fx, fy), (cx, cy) = layout.positions[fix], layout.positions[challenge]
        assert fy == cy and 0 < fx - cx <= BOX + 20, (fix, challenge)  # beside, to the right, on its row
    robustness = layout.positions["Challenge:qm-robustness"]
    fix = next(
        f for f, c, d in graph.edges(data=True) if c == "Challenge:qm-robustness" and d["relation"] == "ADDRESSES"
    )
    assert layout.positions[fix][1] == robustness[1]


def test_no_drawn_line_crosses_a_box_on_the_examples(sample_store):
    for centre, key in [
        ("workflow", None),
        ("stage", "evaluation"),
        ("stage", "model-analysis"),
        ("challenge", "QM-robustness"),
        ("participant", "Interviewee (Interview 35)"),
    ]:
        graph = neighbourhood(sample_store, centre, key)
        layout = web_layout(graph)
        assert not crossing_edges(graph, layout), (centre, key)
        kinds, held_back = drawn_lines(graph, layout)
        assert kinds and held_back == 0
        assert set(layout.positions) == set(graph.nodes)  # every node has its place
        boxes = [(n, *xy, *box_size(layout, n)) for n, xy in layout.positions.items()]
        for i, (a, ax, ay, aw, ah) in enumerate(boxes):  # and no two boxes overlap
            for b, bx, by, bw, bh in boxes[i + 1 :]:
                assert abs(ax - bx) >= (aw + bw) / 2 or abs(ay - by) >= (ah + bh) / 2, (centre, a, b)


def test_a_line_that_would_cross_a_box_is_held_back_until_pointed_at():
    graph = nx.DiGraph(centre="other")
    for n in range(3):
        graph.add_node(f"Challenge:{n}", kind="Challenge", id=str(n), label=f"Challenge {n}", evidence=1)
    graph.add_edge("Challenge:0", "Challenge:2", relation="CO_OCCURS", weight=1)  # through Challenge 1's box
    layout = web_layout(graph)
    layout.positions.update({"Challenge:0": (0, 0), "Challenge:1": (0, 60), "Challenge:2": (0, 120)})
    assert crossing_edges(graph, layout) == {("Challenge:0", "Challenge:2")}
    page = network_html(graph, layout=layout)
    assert '"hidden": true' in page and 'var reveal = {"Challenge:0": ["e0"], "Challenge:2": ["e0"]}' in page
    assert "1 line that would cross a box show" in legend_html(graph, layout)


def test_the_legend_names_what_lines_and_placement_mean(sample_store):
    graph = neighbourhood(sample_store, "challenge", "QM-robustness")
    legend = legend_html(graph)
    for meaning in ("fix → the challenge it addresses", "participant — a code on their quotes", "code → its stage"):
        assert meaning in legend
    assert "Lines:" in legend and "Challenge" in legend

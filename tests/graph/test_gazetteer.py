"""Tool mentions found over a whole interview are the ones found turn by turn."""

from __future__ import annotations

from challenge_graph.graph.codebook import load_codebook
from challenge_graph.graph.gazetteer import Gazetteer, compile_tool

TURNS = [
    "We trained it in PyTorch, then moved to TensorFlow 2 and tf2 notebooks.",
    "Azure\nML was slow; azure machine learning studio too. Amazon Web Services? a w s!",
    "torch-like code, pytorch_lightning, sparkling water, and GPUs: gpu, gpu-box, GPU.",
    "",
    "ChatGPT and chat gpt and gpt-4 and G P T, davinci too; resnet-50 and press net 50.",
    "nothing here at all",
    "Google Cloud\ngoogle cloud, vertex ai and GCP; hugging face, huggingface.",
]


def test_the_bundled_gazetteer_finds_per_interview_what_it_finds_per_turn():
    book = load_codebook()
    expected = [[tool.name for tool in book.mentions(turn)] for turn in TURNS]
    assert [[tool.name for tool in found] for found in book.mentions_in(TURNS)] == expected
    assert sum(map(len, expected)) >= 10  # the turns do mention tools


def test_literals_with_spaces_and_tools_without_literals_are_found_in_their_turns():
    tools = [
        compile_tool({"name": "Two Words", "kind": "tool", "patterns": ["two words"]}, "t"),
        compile_tool({"name": "Digits", "kind": "tool", "patterns": [r"\d+b"]}, "t"),  # no literal before \d
        compile_tool({"name": "Either", "kind": "tool", "patterns": ["foo|bar"]}, "t"),  # always scanned
    ]
    turns = ["two\nwords", "say two words", "a 7b model", "bar", "foo bar two words 13b"]
    gazetteer = Gazetteer(tools)
    expected = [[tool.name for tool in gazetteer.mentions(turn)] for turn in turns]
    assert expected == [[], ["Two Words"], ["Digits"], ["Either"], ["Two Words", "Digits", "Either"]]
    assert [[tool.name for tool in found] for found in gazetteer.mentions_in(turns)] == expected

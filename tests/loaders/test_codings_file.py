from __future__ import annotations

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders import codings_file
from tests.conftest import EXAMPLES


def test_example_codings_file():
    cs = codings_file.load(EXAMPLES / "jiang-2024" / "codings" / "reengineering-leader-4.codings.yaml")
    assert cs.transcript == "reengineering-leader-4.txt" and cs.coder == "example"
    assert "Loss-differential-testing" in {c.code for c in cs.codings}
    assert all(c.line > 0 for c in cs.codings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("transcript: t.txt\ncoder: x\ncodings:\n  - {code: A-b}\n", ":4: coding is missing 'quote'"),
        ("transcript: t.txt\ncoder: x\ncodings:\n  - {code: A-b, qoute: hi}\n", ":4: unknown key 'qoute'"),
        ("transcript: t.txt\ncodings: []\n", ":1: missing key 'coder'"),
        ("transcript: [t.txt\n", ":2: invalid YAML"),
    ],
)
def test_bad_codings_files_name_the_line(text, message):
    with pytest.raises(LoaderError) as e:
        codings_file.parse(text, source="c.codings.yaml")
    assert str(e.value).startswith("c.codings.yaml" + message)

from __future__ import annotations

from benchmarks.generate import generate_corpus
from challenge_graph.loaders import load_paths


def test_generator_is_deterministic_and_loads_cleanly(tmp_path, codebook):
    a = generate_corpus(tmp_path / "a", 4, seed=3)
    b = generate_corpus(tmp_path / "b", 4, seed=3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    result = load_paths([tmp_path / "a"])
    assert not result.rejected
    interviews = [r for _, r in result.records if type(r).__name__ == "Interview"]
    assert len({i.id for i in interviews}) == 4
    assert all(140 <= len(i.turns) <= 160 for i in interviews)
    assert sum(len(i.codings) for i in interviews) > 0


def test_some_interviews_have_two_coders(tmp_path):
    files = generate_corpus(tmp_path, 10, seed=1)
    coders = [p.name for p in files if p.name.startswith("interview-00000-")]
    assert len(coders) == 2

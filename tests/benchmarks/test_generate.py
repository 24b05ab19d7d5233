from __future__ import annotations

from benchmarks.generate import extra_interview, generate_corpus, recoded_copy, single_coder_file
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


def test_one_more_interview_and_a_recoded_copy(tmp_path):
    """The files the benchmark adds to and replaces in a loaded corpus: a new interview with a
    title no corpus interview has, and a copy with exactly one more coding."""
    files = generate_corpus(tmp_path / "corpus", 6, seed=2)
    added = extra_interview(tmp_path / "new", 6)
    corpus = load_paths([tmp_path / "corpus"])
    new = load_paths([added])
    assert not new.rejected
    [interview] = [r for _, r in new.records]
    assert interview.title not in {r.title for _, r in corpus.records if type(r).__name__ == "Interview"}
    assert len(interview.codings) > 0

    original = single_coder_file(files)
    assert original.name == "interview-00002-chen.txt"  # interview 0 has two coders, 2 one
    changed = recoded_copy(original, tmp_path / "changed")
    assert changed.name == original.name and changed.read_bytes() != original.read_bytes()
    before = [(c.code, c.positions) for c in load_paths([original]).records[0][1].codings]
    after = [(c.code, c.positions) for c in load_paths([changed]).records[0][1].codings]
    assert len(after) == len(before) + 1
    [(code, positions)] = set(after) - set(before)
    assert positions == (1,)  # the first participant turn, after the interviewer's question

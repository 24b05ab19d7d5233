"""Vectors kept with the graph: one per participant turn, reused by text hash on reload."""

from __future__ import annotations

import numpy as np

from challenge_graph.graph.model import PARTICIPANT
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.vectors import encode_graph, read, text_hash
from tests.conftest import EXAMPLES


def _participant_turns(store):
    rows = store.run(
        "MATCH (e:Excerpt) WHERE e.role = $role AND trim(e.text) <> '' RETURN e.id AS id, e.text AS text ORDER BY id",
        {"role": PARTICIPANT},
    ).rows
    return dict(rows)


def test_one_unit_vector_per_participant_turn(semantic_store):
    vectors = read(semantic_store)
    turns = _participant_turns(semantic_store)
    assert sorted(vectors.ids) == sorted(turns) and len(turns) > 100
    assert vectors.hashes == [text_hash(turns[e]) for e in vectors.ids]
    assert np.allclose(np.linalg.norm(vectors.matrix, axis=1), 1.0, atol=1e-5)
    # each row is the encoding of its own text
    sample = vectors.ids[:5]
    fresh = encoder().encode([turns[e] for e in sample])
    assert np.allclose(fresh, vectors.matrix[: len(sample)], atol=1e-5)


def test_reload_encodes_only_new_turns(store_copy):
    from challenge_graph.pipeline.ingest import check

    before = read(store_copy)
    _, graph = check([EXAMPLES], _codebook(store_copy))
    again = encode_graph(store_copy, graph, encoder())
    assert again.encoded == 0  # every text came from the store's vectors
    assert again.ids == before.ids and np.array_equal(again.matrix, np.asarray(before.matrix))

    new = store_copy.path.parent / "interview-new.txt"
    new.write_text(
        "Interviewer:\nWhat went wrong?\n\n"
        "Engineer 9:\nWe never found out why the validation accuracy dropped on Tuesdays.\n\n"
        "Interviewer:\nAnything else?\n\n"
        "Engineer 9:\nThe labels drifted between annotators, and nobody wrote the guideline down.\n\n"
        "Interviewer:\nAnd then?\n\n"
        f"Engineer 9:\n{turns_text(store_copy)}\n",  # a text the store already has a vector for
        encoding="utf-8",
    )
    messages = []
    report = ingest(store_copy, [new], progress=messages.append)
    assert report.written and not report.rejected
    assert "encoding 2 new excerpt text(s) for semantic search" in " ".join(messages)
    after = read(store_copy)
    assert sorted(after.ids) == sorted(_participant_turns(store_copy)) and len(after.ids) == len(before.ids) + 3


def turns_text(store):
    return next(t for t in _participant_turns(store).values() if "\n" not in t and len(t) > 40)


def _codebook(store):
    from challenge_graph.pipeline.ingest import read_codebook

    return read_codebook(None, store)[1]

"""The NumPy encoder against sentence-transformers' own embeddings (reference.json, made once
with PyTorch by make_reference.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from challenge_graph.semantic.encoder import Encoder, SemanticUnavailable
from tests.semantic.conftest import require_extra

REFERENCE = json.loads(Path(__file__).with_name("reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def encoder():
    require_extra()
    return Encoder()


def test_matches_sentence_transformers(encoder):
    ours = encoder.encode(REFERENCE["sentences"])
    theirs = np.asarray(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == theirs.shape == (len(REFERENCE["sentences"]), 384)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.999999, cosines
    assert np.abs(ours - theirs).max() < 1e-5  # measured: 3e-7


def test_vectors_are_unit_length_and_order_independent(encoder):
    texts = REFERENCE["sentences"][:4]
    forward = encoder.encode(texts)
    backward = encoder.encode(texts[::-1])[::-1]
    assert np.allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-5)
    assert np.allclose(forward, backward, atol=1e-5)  # batching and padding change nothing


def test_similar_sentences_are_closer_than_unrelated_ones(encoder):
    a, b, c = encoder.encode(
        ["The training loss exploded.", "Our loss function diverged during training.", "I like my coffee black."]
    )
    assert a @ b > a @ c + 0.3


def test_missing_model_files_say_how_to_install(tmp_path):
    with pytest.raises(SemanticUnavailable, match=r"pip install 'challenge-graph\[semantic\]'"):
        Encoder(tmp_path)

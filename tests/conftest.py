"""Shared fixtures: the example corpus, a loaded sample store, and cheap empty stores."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.codebook import load_codebook
from graph.ladybug_store import LadybugStore
from loaders.ingest import ingest

# the atheris script runs on its own (python tests/fuzz/fuzz_loaders.py), never under pytest
collect_ignore = ["fuzz"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# the seed documents, as copied into examples/
LEADER_4 = EXAMPLES / "transcripts" / "reengineering-leader-4.txt"  # seed 000
ENGINEER_2 = EXAMPLES / "transcripts" / "reengineering-engineer-2.txt"  # seed 001
PROTOCOL = EXAMPLES / "protocols" / "cv-reengineering-leader-protocol.txt"  # seed 002
INTERVIEW_35 = EXAMPLES / "delve" / "interview-35-ilan.txt"  # seed 003
INTERVIEW_38 = EXAMPLES / "delve" / "interview-38-amin.txt"  # seed 004


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The example corpus loaded once into an embedded store (read-only use)."""
    store = LadybugStore(tmp_path_factory.mktemp("sample") / "db")
    report = ingest(store, [EXAMPLES])
    assert not report.rejected
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path):
    store = LadybugStore(tmp_path / "db")
    yield store
    store.close()

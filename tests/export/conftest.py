"""The real study for the export tests: the Delve PDFs of tests/fixtures/delve-pdf (three
interviews, each coded by three coders), loaded once."""

from __future__ import annotations

import pytest

from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import FIXTURES

DELVE_PDFS = FIXTURES / "delve-pdf"


@pytest.fixture(scope="session")
def delve_store(tmp_path_factory):
    """The Delve PDFs loaded into an embedded store (read-only use)."""
    store = LadybugStore(tmp_path_factory.mktemp("delve") / "db")
    report = ingest(store, [DELVE_PDFS])
    assert not report.rejected
    yield store
    store.close()

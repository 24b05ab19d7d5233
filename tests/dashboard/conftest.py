"""What every dashboard test shares."""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True)
def _release_the_dashboards_stores():
    """After each test, drop the stores the dashboard cached (one per database, for the life of
    the process): each open LadybugDB database reserves 8 TiB of address space, so a suite that
    kept the store of every test's database would run out of it (at 16 in one process)."""
    yield
    from challenge_graph.dashboard import data

    data.store.clear()
    gc.collect()  # the engine releases a database when its last reference goes

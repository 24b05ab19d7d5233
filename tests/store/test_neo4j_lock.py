"""The Neo4j load lock, live: one load at a time, a lease that is renewed while a load runs,
and a lock left by a dead load that does not block the next one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from challenge_graph.graph.errors import StoreBusyError, StoreError
from challenge_graph.store.neo4j_lock import LOCK_LABEL
from tests.conftest import connect_neo4j


@pytest.fixture
def second(neo4j_env):
    """Another connection, as a second process would have."""
    store = connect_neo4j(neo4j_env)
    yield store
    store.close()


def _lock(store):
    rows = store.driver.execute_query(
        f"MATCH (l:{LOCK_LABEL} {{id: 'load'}}) RETURN properties(l) AS p", database_=store.database
    ).records
    return rows[0]["p"] if rows else {}


def _plant(store, host, pid, expires_in_ms):
    """A lock as another load would have left it."""
    store.driver.execute_query(
        f"MERGE (l:{LOCK_LABEL} {{id: 'load'}}) SET l.holder = 'someone-else', l.host = $host, l.pid = $pid, "
        "l.since = timestamp(), l.expires = timestamp() + $ms",
        {"host": host, "pid": pid, "ms": expires_in_ms},
        database_=store.database,
    )


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_second_load_is_told_who_holds_the_lock(neo4j_store, second):
    with neo4j_store.writing():
        held = _lock(neo4j_store)
        assert held["pid"] == os.getpid() and held["host"] == socket.gethostname()
        with pytest.raises(StoreBusyError) as e:
            with second.writing():
                pass
        assert str(e.value).startswith(
            f"store is busy: another load (PID {os.getpid()} on {socket.gethostname()}, since "
        )
        assert "wait for it to finish, then run the command again" in str(e.value)
        with neo4j_store.writing():  # re-entrant for its holder
            pass
        assert _lock(neo4j_store)["holder"] == held["holder"]
    assert _lock(neo4j_store).get("holder") is None  # released
    with second.writing():
        pass


def test_the_lease_is_renewed_while_a_load_runs(neo4j_env, second):
    short = connect_neo4j(neo4j_env, lease_seconds=3)  # renewed every second: room for a slow round trip
    try:
        with short.writing():
            first = _lock(short)["expires"]
            time.sleep(7)  # more than twice the lease
            assert _lock(short)["expires"] > first
            with pytest.raises(StoreBusyError):
                with second.writing():
                    pass
    finally:
        short.close()


def test_a_lapsed_lease_from_another_host_is_taken_over(neo4j_store):
    _plant(neo4j_store, "elsewhere.example", 4242, -1000)
    with neo4j_store.writing():
        assert _lock(neo4j_store)["pid"] == os.getpid()


def test_a_live_lease_from_another_host_blocks(neo4j_store):
    _plant(neo4j_store, "elsewhere.example", 4242, 60_000)
    try:
        with pytest.raises(StoreBusyError, match=r"another load \(PID 4242 on elsewhere.example, since"):
            with neo4j_store.writing():
                pass
    finally:
        _plant(neo4j_store, "elsewhere.example", 4242, -1000)


def test_a_dead_load_on_this_host_does_not_block(neo4j_store):
    _plant(neo4j_store, socket.gethostname(), _dead_pid(), 60_000)
    with neo4j_store.writing():
        assert _lock(neo4j_store)["pid"] == os.getpid()


def test_a_load_that_lost_its_lock_stops_before_writing(neo4j_store):
    with pytest.raises(StoreError, match="lost the load lock"):
        with neo4j_store.writing():
            _plant(neo4j_store, "elsewhere.example", 4242, 60_000)  # taken over behind its back
            neo4j_store._lock.renew()
    assert _lock(neo4j_store)["pid"] == 4242  # the new holder keeps it
    _plant(neo4j_store, "elsewhere.example", 4242, -1000)

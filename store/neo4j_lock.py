"""The load lock on a Neo4j server: one node, claimed in a write transaction, with a lease.

``(:ChallengeGraphLock {id: 'load'})`` names its holder (a token, the host and PID) and when the
lease runs out (server time, ms). A claim takes the node's write lock first, so two claimers are
serialised by the server and exactly one wins. The holder renews the lease from a background
thread; a holder that stops renewing (killed, cut off) loses the lock when the lease runs out,
or at once when it ran on this host and its PID is gone. The node is never deleted, only
cleared, and carries no label of the graph model, so queries and sweeps never see it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import uuid
from typing import Any

import neo4j
from neo4j.exceptions import ClientError

from challenge_graph.graph.errors import StoreBusyError, StoreError

__all__ = ["LoadLock", "LOCK_LABEL", "LEASE_SECONDS"]

LOCK_LABEL = "ChallengeGraphLock"
LOCK_ID = "load"
LEASE_SECONDS = 60.0

_CONSTRAINT = f"CREATE CONSTRAINT challenge_graph_lock_id IF NOT EXISTS FOR (l:{LOCK_LABEL}) REQUIRE l.id IS UNIQUE"
# writing a property first takes the node's write lock: what follows reads the latest holder
_TAKE = f"MERGE (l:{LOCK_LABEL} {{id: $id}}) SET l.claimant = $token"
_READ = (
    f"MATCH (l:{LOCK_LABEL} {{id: $id}}) RETURN l.holder AS holder, l.host AS host, l.pid AS pid, "
    "l.since AS since, l.expires AS expires, timestamp() AS now"
)
_HOLD = (
    f"MATCH (l:{LOCK_LABEL} {{id: $id}}) SET l.holder = $token, l.host = $host, l.pid = $pid, "
    "l.since = timestamp(), l.expires = timestamp() + $lease REMOVE l.claimant"
)
_RENEW = (
    f"MATCH (l:{LOCK_LABEL} {{id: $id}}) WHERE l.holder = $token "
    "SET l.expires = timestamp() + $lease RETURN count(l) AS held"
)
_RELEASE = (
    f"MATCH (l:{LOCK_LABEL} {{id: $id}}) WHERE l.holder = $token "
    "SET l.holder = null, l.host = null, l.pid = null, l.since = null, l.expires = null"
)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LoadLock:
    """One claim of the load lock by this process; :meth:`claim`, then :meth:`release`."""

    def __init__(self, driver: neo4j.Driver, database: str, where: str, lease_seconds: float = LEASE_SECONDS) -> None:
        self.driver, self.database, self.where = driver, database, where
        self.lease_ms = int(lease_seconds * 1000)
        self.token, self.host, self.pid = uuid.uuid4().hex, socket.gethostname(), os.getpid()
        self._stop = threading.Event()
        self._lost = False
        self._renewer: threading.Thread | None = None

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"id": LOCK_ID, "token": self.token, "host": self.host, "pid": self.pid, "lease": self.lease_ms, **extra}

    def _free(self, row: dict[str, Any]) -> bool:
        if row["holder"] is None or row["holder"] == self.token:
            return True
        if row["expires"] is None or row["expires"] < row["now"]:
            return True  # the holder stopped renewing: its lease ran out
        return row["host"] == self.host and isinstance(row["pid"], int) and not _pid_alive(row["pid"])

    def _claim(self, tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        tx.run(_TAKE, self._params()).consume()
        row = tx.run(_READ, self._params()).single().data()
        if not self._free(row):
            tx.run(f"MATCH (l:{LOCK_LABEL} {{id: $id}}) REMOVE l.claimant", self._params()).consume()
            return row
        tx.run(_HOLD, self._params()).consume()
        return None

    def claim(self) -> None:
        """Take the lock or raise :class:`StoreBusyError` naming who holds it."""
        try:
            self.driver.execute_query(_CONSTRAINT, database_=self.database)
        except ClientError as e:  # two first loads at once: the other one created it
            if "EquivalentSchemaRuleAlreadyExists" not in (e.code or ""):
                raise
        with self.driver.session(database=self.database) as session:
            holder = session.execute_write(self._claim)
        if holder is not None:
            since = dt.datetime.fromtimestamp(holder["since"] / 1000, dt.UTC).strftime("%H:%M:%S UTC")
            raise StoreBusyError(
                f"store is busy: another load (PID {holder['pid']} on {holder['host']}, since {since}) is writing "
                f"{self.where}; wait for it to finish, then run the command again"
            )
        self._renewer = threading.Thread(target=self._keep, name="neo4j-load-lock", daemon=True)
        self._renewer.start()

    def renew(self) -> None:
        """Extend the lease now; raise :class:`StoreError` if the lock was lost meanwhile."""
        held = self.driver.execute_query(_RENEW, self._params(), database_=self.database).records[0]["held"]
        if not held:
            self._lost = True
        self.check()

    def check(self) -> None:
        """Raise :class:`StoreError` once the lease was found lapsed and the lock taken over."""
        if self._lost:
            raise StoreError(
                f"this load lost the load lock on {self.where} (its lease of {self.lease_ms // 1000} s ran out "
                "and another load took it over): run the load again"
            )

    def _keep(self) -> None:
        """Renew the lease a few times per lease, until released or lost."""
        while not self._stop.wait(self.lease_ms / 3000):
            try:
                self.renew()
            except StoreError:
                return
            except Exception:  # noqa: BLE001 - a renewal that fails now is retried on the next beat
                continue

    def release(self) -> None:
        """Stop renewing and clear the lock if this claim still holds it."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        self.driver.execute_query(_RELEASE, self._params(), database_=self.database)

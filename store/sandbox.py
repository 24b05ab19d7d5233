"""Analysts' Cypher in a child process with OS limits, so no query can take down the process
that serves everyone else.

The allow-list (:mod:`store.cypher_guard`) decides what may run; this module bounds what an
allowed query may cost. An engine can segfault on a deeply nested expression or allocate
without bound (``size(range(1, 1e9))``), and parsing is outside the engine's own timeout, so
each analyst query (the ``cypher`` command, the dashboard's console) runs in a fresh child:

- resident memory is watched from here and the child is killed past ``memory`` bytes; its
  address space is capped too (``RLIMIT_AS``), so an allocation past the cap fails in the child;
- the wall clock counts from the child's start, parsing included; CPU time is capped as well;
- rows are capped at ``max_rows`` and their encoded size at ``max_bytes``;
- the child dies with its parent (``PR_SET_PDEATHSIG``), however the parent ends.

A crash, a memory bomb or a runaway parse ends the child only, with one line for the analyst.
Rows come back as JSON (values without a JSON form as text), never as pickles.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from challenge_graph.graph.errors import (
    ChallengeGraphError,
    QueryError,
    QueryMemoryError,
    QueryTimeoutError,
    ReadOnlyError,
    StoreError,
)
from challenge_graph.store.base import DEFAULT_TIMEOUT, MAX_TIMEOUT, GraphStore, QueryResult
from challenge_graph.store.cypher import check_read_only

__all__ = ["QueryLimits", "run_isolated", "DEFAULT_MEMORY", "DEFAULT_MAX_BYTES", "memory_text"]

DEFAULT_MEMORY = 1 << 30  # bytes of resident memory an analyst's query may use
DEFAULT_MAX_BYTES = 64 << 20  # bytes of rows (as JSON) a query may return
_POLL = 0.02  # seconds between looks at the child's memory
_WATCH = 0.9  # kill at this share of the limit: memory still grows between two looks
_ADDRESS_SLACK = 1 << 30  # address space beyond the memory limit: libraries, thread stacks, the mapped file
_ERRORS = {e.__name__: e for e in (QueryError, QueryTimeoutError, QueryMemoryError, ReadOnlyError, StoreError)}


@dataclass(frozen=True)
class QueryLimits:
    """What one analyst query may use: seconds of wall clock (from the child's start, parsing
    included), bytes of resident memory, rows, and bytes of rows returned."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    max_rows: int | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def memory_text(size: int) -> str:
    """``size`` bytes for people: ``1 GB``, ``512 MB``.

    >>> memory_text(1 << 30), memory_text(3 << 29), memory_text(300 << 20)
    ('1 GB', '1.5 GB', '300 MB')
    """
    if size >= 1 << 30:
        return f"{size / (1 << 30):.3g} GB"
    return f"{size / (1 << 20):.3g} MB"


def run_isolated(
    store: GraphStore, cypher: str, params: dict[str, Any] | None = None, limits: QueryLimits = QueryLimits()
) -> QueryResult:
    """Run an analyst's query on ``store`` in a child process within ``limits``.

    Raises
    ------
    ReadOnlyError
        If the query is outside the allow-list (checked here first, and again in the child).
    QueryTimeoutError
        If the child is still running after ``limits.timeout`` seconds.
    QueryMemoryError
        If the child uses more than ``limits.memory`` bytes.
    QueryError
        If the engine rejects the query, crashes on it, or the rows pass ``limits.max_bytes``.
    """
    check_read_only(cypher)
    if not (0 < limits.timeout <= MAX_TIMEOUT) or limits.memory < (64 << 20):  # nan fails too
        raise QueryError(f"limits out of range: timeout {limits.timeout} s, memory {limits.memory} bytes")
    request = {
        "store": store.reopen_spec(),
        "cypher": cypher,
        "params": dict(params or {}),
        "limits": {
            "timeout": limits.timeout,
            "memory": limits.memory,
            "max_rows": limits.max_rows,
            "max_bytes": limits.max_bytes,
        },
    }
    return _decode(_run_child(json.dumps(request).encode("utf-8"), limits))


def _run_child(request: bytes, limits: QueryLimits) -> dict[str, Any]:
    started = time.monotonic()
    child = subprocess.Popen(
        # -P: the working directory is not on the path, so no module planted there runs in the child
        [sys.executable, "-P", "-m", "challenge_graph.store.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        close_fds=True,
    )
    output = _Drain(child.stdout, limits.max_bytes + (1 << 20))  # the rows' cap, plus the envelope
    errors = _Drain(child.stderr, 64 << 10)
    threading.Thread(target=_send, args=(child.stdin, request), daemon=True).start()  # never blocks the clock
    stopped = ""
    while child.poll() is None:
        if time.monotonic() - started > limits.timeout:
            stopped = "timeout"
        elif _resident(child.pid) > _WATCH * limits.memory:
            stopped = "memory"
        elif output.overflow:
            stopped = "bytes"
        if stopped:
            child.kill()
            break
        time.sleep(_POLL)
    child.wait()
    output.join()
    errors.join()
    if stopped == "timeout":
        raise QueryTimeoutError(f"query stopped after {limits.timeout:g} s (its time limit; raise it with --timeout)")
    if stopped == "memory":
        raise QueryMemoryError(_memory_message(limits.memory))
    if stopped == "bytes" or output.overflow:
        raise QueryError(
            f"the query returned more than {memory_text(limits.max_bytes)} of rows and was stopped "
            "(add LIMIT or return fewer columns)"
        )
    if child.returncode == -signal.SIGXCPU:
        raise QueryTimeoutError(f"query stopped: it used its CPU time ({4 * limits.timeout + 5:g} s of all threads)")
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        raise QueryError(f"the query engine crashed on this query ({name}) and was stopped; nothing else was affected")
    try:
        return json.loads(output.data())
    except ValueError:
        detail = errors.data().decode("utf-8", "replace").strip().splitlines()
        raise QueryError(
            f"the query process ended without an answer (exit {child.returncode})"
            + (f": {detail[-1]}" if detail else "")
        ) from None


def _send(pipe: Any, request: bytes) -> None:
    try:
        pipe.write(request)
        pipe.close()
    except (BrokenPipeError, OSError):
        pass


class _Drain(threading.Thread):
    """Read a pipe to its end in the background, keeping at most ``cap`` bytes."""

    def __init__(self, pipe: Any, cap: int) -> None:
        super().__init__(daemon=True)
        self.pipe, self.cap, self.chunks, self.size, self.overflow = pipe, cap, [], 0, False
        self.start()

    def run(self) -> None:
        while chunk := self.pipe.read1(1 << 16):
            if self.size + len(chunk) > self.cap:
                self.overflow = True
                continue  # keep reading so the child never blocks on a full pipe
            self.chunks.append(chunk)
            self.size += len(chunk)
        self.pipe.close()

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _resident(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _decode(answer: dict[str, Any]) -> QueryResult:
    if "error" in answer:
        raise _ERRORS.get(answer["error"], QueryError)(answer["message"])
    return QueryResult(answer["columns"], [tuple(row) for row in answer["rows"]], truncated=answer["truncated"])


# --- the child ------------------------------------------------------------------------------
def _limit_self(limits: dict[str, Any]) -> None:
    """In the child, before anything else: die with the parent, and cap CPU time and address space."""
    import ctypes
    import resource

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)
    cpu = int(limits["timeout"] * 4) + 5  # every engine thread counts: a backstop, the wall clock rules
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind


def _limit_address_space(size: int) -> None:
    """Cap the child's address space at ``size`` bytes plus room for libraries and thread stacks:
    an allocation past it fails in the child (a memory error) before the parent must kill it."""
    import resource

    address = size + _ADDRESS_SLACK
    try:
        resource.setrlimit(resource.RLIMIT_AS, (address, address))
    except (ValueError, OSError):
        pass


def _memory_message(memory: int) -> str:
    return (
        f"the query used more than {memory_text(memory)} of memory and was stopped "
        "(raise the limit with --max-memory, or narrow the query)"
    )


def _plain(value: Any) -> Any:
    """``value`` in a JSON form: numbers, text, lists and maps as they are; dates as ISO text;
    graph entities as maps of their properties; anything else as text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "items") and hasattr(value, "element_id"):  # a Neo4j node or relationship
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _reopen(spec: dict[str, Any]) -> GraphStore:
    if spec["kind"] == "ladybug":
        from challenge_graph.store.ladybug_store import LadybugStore

        return LadybugStore(spec["path"])
    if spec["kind"] == "neo4j":
        from challenge_graph.store.neo4j_store import Neo4jStore

        return Neo4jStore.connect(spec["uri"], spec["user"], spec["password"], spec["database"])
    raise StoreError(f"unknown store kind {spec['kind']!r}")


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    limits = request["limits"]
    store = _reopen(request["store"])
    _limit_address_space(limits["memory"] + store.limit_analyst_memory(limits["memory"]))
    try:
        result = store.run_analyst(
            request["cypher"], request["params"], timeout=limits["timeout"], max_rows=limits["max_rows"]
        )
    except QueryError as e:
        if str(e).startswith(("std::bad_alloc", "Buffer manager exception")):  # the engine's, not the query's words
            raise QueryMemoryError(_memory_message(limits["memory"])) from None
        raise
    finally:
        store.close()
    rows, size, truncated = [], 0, result.truncated
    for row in result.rows:
        encoded = [_plain(v) for v in row]
        size += len(json.dumps(encoded, ensure_ascii=False))
        if size > limits["max_bytes"]:
            raise QueryError(
                f"the query returned more than {memory_text(limits['max_bytes'])} of rows and was stopped "
                "(add LIMIT or return fewer columns)"
            )
        rows.append(encoded)
    return {"columns": list(result.columns), "rows": rows, "truncated": truncated}


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    _limit_self(request["limits"])
    try:
        answer = _answer(request)
    except ChallengeGraphError as e:
        answer = {"error": type(e).__name__, "message": str(e)}
    except MemoryError:
        answer = {"error": "QueryMemoryError", "message": _memory_message(request["limits"]["memory"])}
    except Exception as e:  # noqa: BLE001 - any other failure is the query's, in one line
        answer = {"error": "QueryError", "message": f"the query failed: {type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

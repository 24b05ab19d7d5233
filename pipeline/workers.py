"""Work spread over processes: parsing files and building interviews are independent of each
other, so a large load uses every core; a small one stays in this process.

``CHALLENGE_GRAPH_WORKERS`` sets the number of processes (``1``: never more than this one).
Inside :func:`shared_workers`, every step of a load uses the same processes.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from challenge_graph.graph.errors import ChallengeGraphError

__all__ = [
    "WORKERS_ENV",
    "in_worker_process",
    "map_in_processes",
    "release_shared_workers",
    "shared_workers",
    "worker_count",
]

WORKERS_ENV = "CHALLENGE_GRAPH_WORKERS"
ITEMS_PER_WORKER = 200  # fewer items for each process and starting it costs more than it saves (measured)
MAX_WORKERS = 8
# items a process takes at once: its results come back together, so a first chunk of 60 interviews
# kept the loading process waiting 0.6 s; 4 cost more in messages than they saved (measured, 1,000)
MAX_CHUNK = 16

T = TypeVar("T")
R = TypeVar("R")


def worker_count(items: int) -> int:
    """How many processes share ``items`` pieces of work: ``CHALLENGE_GRAPH_WORKERS`` when set
    (never more than the items), else one per usable core, each with at least
    ``ITEMS_PER_WORKER`` items, at most ``MAX_WORKERS``.

    >>> worker_count(0), worker_count(1)
    (1, 1)
    """
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        if not (setting.isascii() and setting.isdigit()) or int(setting) < 1:
            raise ChallengeGraphError(f"{WORKERS_ENV} must be a whole number of processes, 1 or more: {setting!r}")
        return max(1, min(int(setting), items))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS, items // ITEMS_PER_WORKER))


_in_worker = False  # set in the processes map_in_processes starts


def in_worker_process() -> bool:
    """True in a process :func:`map_in_processes` started (its work's results are pickled back to
    the process that asked for them); False anywhere else, another program's worker included."""
    return _in_worker


def _mark_worker() -> None:
    global _in_worker
    _in_worker = True


class _Shared:
    """The processes of one :func:`shared_workers` block, once a step has started them."""

    pool: ProcessPoolExecutor | None = None
    size = 0  # how many

    def release(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool, self.size = None, 0


_SHARED: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar("challenge_graph_workers", default=None)


@contextlib.contextmanager
def shared_workers() -> Iterator[None]:
    """Within the block, :func:`map_in_processes` keeps the processes the first call that needs
    them starts, and later calls use them (or more, started then, if they need more): a load
    parses, then builds, and starting processes again (each a new interpreter importing this
    package) kept the build waiting 0.2 s at 1,000 interviews. They end with the block, or at
    :func:`release_shared_workers`. Each thread has its own (a dashboard session loads in a
    thread)."""
    shared = _Shared()
    token = _SHARED.set(shared)
    try:
        yield
    finally:
        _SHARED.reset(token)
        shared.release()


def release_shared_workers() -> None:
    """End the processes of the enclosing :func:`shared_workers` block now, once a load's last
    step that needs them is done: idle, they would keep their memory through the write."""
    block = _SHARED.get()
    if block is not None:
        block.release()


def map_in_processes(func: Callable[[Any, T], R], shared: Any, items: Sequence[T]) -> Iterator[R]:
    """``func(shared, item)`` for each item, in the items' order, over :func:`worker_count`
    processes (those of the enclosing :func:`shared_workers` block, if it started some). ``func``
    must be a module-level function and ``shared`` picklable; an exception raised for an item
    is raised here. Processes are spawned, never forked: loads also run in the dashboard's
    threads, which a fork would copy mid-work."""
    workers = worker_count(len(items))
    if workers == 1:
        yield from (func(shared, item) for item in items)
        return
    block = _SHARED.get()
    if block is None:
        pool, size = _start(workers), workers
    else:
        if block.size < workers:  # none yet, or fewer than this step can use
            block.release()
            block.pool, block.size = _start(workers), workers
        pool, size = block.pool, block.size
    try:
        mapped = _mapped(pool, func, shared, items, size) if pool is not None else None
        if mapped is None:  # no processes here: the work is done in this process
            _end(pool, block)
            yield from (func(shared, item) for item in items)
            return
        yield from mapped
    except BrokenProcessPool as e:  # a process died: while working, or idle between two steps
        _end(pool, block)
        raise ChallengeGraphError(
            f"a worker process of this load stopped (out of memory?); nothing was written. Run it again with "
            f"{WORKERS_ENV}=1 to load in one process"
        ) from e
    finally:  # once read (or the load failed), the processes end without waiting for work nobody reads
        if block is None and pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _end(pool: ProcessPoolExecutor | None, block: _Shared | None) -> None:
    """Shut ``pool`` down, and forget it in ``block``: it cannot serve another step."""
    if block is not None and block.pool is pool:
        block.release()
    elif pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _start(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` processes, or None where processes cannot be started here (a
    sandbox without shared-memory semaphores): the work is then done in this process."""
    try:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_mark_worker)
    except (OSError, NotImplementedError, ValueError):
        return None


def _mapped(pool: ProcessPoolExecutor, func: Callable[[Any, T], R], shared: Any, items: Sequence[T], workers: int):
    """The results as they come (work not started yet is cancelled when they are no longer
    read), or None when the processes cannot be started here."""
    chunk = max(1, min(MAX_CHUNK, len(items) // (workers * 8)))  # small chunks balance uneven files
    try:
        with _neutral_main():  # the processes start here, as the work is handed out
            return pool.map(functools.partial(func, shared), items, chunksize=chunk)
    except (OSError, NotImplementedError, ValueError):
        return None


_MAIN_LOCK = threading.Lock()  # dashboard sessions load in threads of one process


@contextlib.contextmanager
def _neutral_main() -> Iterator[None]:
    """A spawned process first runs the caller's main script again (Python's "safe importing of
    the main module"): a user's script without ``if __name__ == "__main__":`` would load again,
    and in the dashboard Streamlit's main module is the app itself. Workers need only this
    package's functions, so they start from an empty main module."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        empty = sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None and sys.modules.get("__main__") is empty:  # unless another thread set its own
                sys.modules["__main__"] = main

"""Python's cyclic garbage collector held back while a load builds millions of rows.

A load allocates rows, tuples and records by the million and keeps almost all of them to the
end. Each allocation counts towards a collection that walks every live object, so the collector
runs hundreds of times over the growing graph while finding almost nothing to free: about a
third of the time spent unpacking kept interviews (measured). The rows hold no cycles, so
pausing it for the load and collecting once afterwards frees the same memory.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["collector_paused"]

_LOCK = threading.Lock()
_pauses = 0  # loads in progress in this process (the dashboard loads in threads)
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold back automatic collection inside the block (nested and concurrent blocks share one
    pause); the last block to end collects once and restores the collector as it was.

    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    """
    global _pauses, _was_enabled
    with _LOCK:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _LOCK:
            _pauses -= 1
            last = _pauses == 0
            if last and _was_enabled:
                gc.enable()
        if last:
            gc.collect()

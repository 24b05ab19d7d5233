"""Progress of a long load on a terminal: one line per stage (reading, building, writing,
encoding) with its count, rate and time left, redrawn in place on standard error.

Shown only when standard error is a terminal and the command is not ``--silent``: output piped
to a file or read by a script is unchanged.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from challenge_graph.graph.progress import Step

__all__ = ["TerminalProgress", "terminal_progress", "duration"]

REDRAW_EVERY = 0.1  # seconds


def duration(seconds: float) -> str:
    """``seconds`` as a terminal shows time left.

    >>> duration(4.2), duration(95), duration(3725)
    ('4s', '1m35s', '1h02m')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class TerminalProgress:
    """A progress callback that draws each stage's line in place on ``stream``; a stage's last
    line stays when the next stage starts, and :meth:`close` ends the last one."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, width: int | None = None) -> None:
        self.stream, self.clock = stream, clock
        self.width = width or shutil.get_terminal_size((100, 20)).columns
        self.stage, self.started, self.drawn, self.last = "", 0.0, False, float("-inf")
        self.first = 0  # the count when the stage's first line was drawn: the rate counts from there

    def __call__(self, message: str) -> None:
        now = self.clock()
        stage = message.stage if isinstance(message, Step) else self.stage or "working"
        counted = isinstance(message, Step) and message.total > 0
        if stage != self.stage:
            self._end_line()
            self.stage, self.started, self.first = stage, now, message.done if counted else 0
        elif counted and now - self.last < REDRAW_EVERY and message.done != message.total:
            return  # thousands of files a second: redrawn ten times a second, and at the stage's end
        self.last = now
        self._draw(self.line(message, now - self.started))

    def line(self, message: str, elapsed: float) -> str:
        """The stage's line: ``reading 120/1,000 · 85/s · 10s left · read a.txt``."""
        parts = [self.stage]
        if isinstance(message, Step) and message.total:
            parts[0] += f" {message.done:,}/{message.total:,}"
            if message.done > self.first and elapsed >= 0.5:
                rate = (message.done - self.first) / elapsed
                parts.append(f"{rate:,.0f}/s" if rate >= 1 else f"{rate:.2f}/s")
                if message.done < message.total:
                    parts.append(f"{duration((message.total - message.done) / rate)} left")
        parts.append(str(message))
        return " · ".join(parts)

    def close(self) -> None:
        self._end_line()

    def _draw(self, text: str) -> None:
        text = text[: self.width - 1]
        self.stream.write("\r" + text.ljust(self.width - 1))
        self.stream.flush()
        self.drawn = True

    def _end_line(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def terminal_progress(silent: bool, stream: TextIO | None = None) -> TerminalProgress | None:
    """A :class:`TerminalProgress` on standard error when it is a terminal and not ``silent``."""
    stream = stream or sys.stderr
    return TerminalProgress(stream) if not silent and stream.isatty() else None

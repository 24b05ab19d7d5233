"""Progress of a long load on a terminal: each stage's line with counts, rate and time left,
redrawn in place; nothing when standard error is not a terminal or the load is --silent."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from challenge_graph.cli.progress import TerminalProgress, terminal_progress
from challenge_graph.graph.progress import Step


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def shown(stream: io.StringIO) -> list[str]:
    """What a terminal shows: each line as its last redraw left it."""
    return [line.split("\r")[-1].rstrip() for line in stream.getvalue().split("\n") if line.strip()]


def test_each_stage_keeps_its_last_line_with_count_rate_and_time_left():
    out, clock = Terminal(), Clock()
    progress = TerminalProgress(out, clock, width=100)
    for done in range(1, 5):  # 4 of 10 files in 2 s: 2 a second, 3 s left
        clock.now = done * 0.5
        progress(Step(f"read f{done}.txt", "reading", done, 10))
    clock.now = 2.1
    progress(Step("building the graph from 10 files", "building"))
    progress("a plain message")
    progress.close()
    assert shown(out) == [
        "reading 4/10 · 2/s · 3s left · read f4.txt",
        "building · a plain message",
    ]


def test_redraws_at_most_ten_times_a_second_but_always_the_last():
    out, clock = Terminal(), Clock()
    progress = TerminalProgress(out, clock, width=80)
    for done in range(1, 1001):
        clock.now = done / 10_000  # 1,000 files in 0.1 s
        progress(Step("read", "reading", done, 1000))
    progress.close()
    assert out.getvalue().count("\r") <= 3
    assert shown(out) == ["reading 1,000/1,000 · read"]


def test_only_on_a_terminal_and_never_when_silent():
    assert terminal_progress(False, io.StringIO()) is None
    assert terminal_progress(True, Terminal()) is None
    assert isinstance(terminal_progress(False, Terminal()), TerminalProgress)


def test_a_load_on_a_terminal_draws_its_stages(tmp_path, one_study):
    """The real command under a pseudo-terminal: its standard error shows the stages."""
    parent, child = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "challenge_graph", "load", str(one_study), "--db", str(tmp_path / "db")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child,
        timeout=300,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(parent)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode in (0, 2)
    files = sum(  # not the README, a module or its bytecode
        1 for p in one_study.rglob("*") if p.is_file() and p.name != "README.md" and p.suffix not in (".py", ".pyc")
    )
    assert f"reading {files}/{files}" in screen
    assert "building" in screen and "writing" in screen
    assert "reading" not in done.stdout.decode()  # progress goes to the terminal, the report to stdout

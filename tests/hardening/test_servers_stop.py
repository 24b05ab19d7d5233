"""Stopping `challenge-graph dashboard` or `demo` with SIGTERM stops its Streamlit server too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    found = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            direct = [int(c) for c in f.read().split()]
    except OSError:
        return []
    for child in direct:
        found += [child, *children(child)]
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early ({proc.returncode})")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail("server did not become healthy")


def end_all(pids: list[int]) -> None:
    """Kill whatever is still running (so no test leaves a server behind, even when failing)."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def launch(command: str, db, port: int) -> subprocess.Popen:
    """``challenge-graph COMMAND --db DB --port PORT`` in a process of its own, output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "challenge_graph", command, "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", ["dashboard", "demo"])
def test_sigterm_stops_the_streamlit_child(sample_store, tmp_path, command):
    port = free_port()
    db = sample_store.path if command == "dashboard" else tmp_path / "db"
    proc = launch(command, db, port)
    servers: list[int] = []
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        servers = children(proc.pid)
        assert servers, "no Streamlit child found"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        deadline = time.time() + 15
        while any(alive(pid) for pid in servers) and time.time() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in servers), "the Streamlit server outlived its command"
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        end_all(servers)


def test_sigkill_of_the_command_stops_the_streamlit_child(sample_store):
    """However the command dies (SIGKILL cannot be caught or forwarded), its server goes too."""
    port = free_port()
    proc = launch("dashboard", sample_store.path, port)
    servers: list[int] = []
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        servers = children(proc.pid)
        assert servers, "no Streamlit child found"
        proc.kill()
        proc.wait()
        deadline = time.time() + 30
        while any(alive(pid) for pid in servers) and time.time() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in servers), "the Streamlit server outlived its command"
    finally:
        end_all(servers)

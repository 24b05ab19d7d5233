"""Start ``challenge-graph dashboard`` for a browser test and end it, children included; wait for
a page to settle."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.hardening.test_servers_stop import children, end_all


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_dashboard(args: list[str], port: int, env: dict[str, str] | None = None, wait: float = 60) -> Iterator[str]:
    """Run the dashboard with ``args`` on ``port`` until it answers its health check; yield its
    address; then stop it with SIGTERM (forwarded to Streamlit) and end any child left."""
    log = tempfile.TemporaryFile()  # a file, not a pipe: a server writing more than a pipe holds never blocks
    proc = subprocess.Popen(
        [sys.executable, "-m", "challenge_graph", "dashboard", *args, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + wait
    while time.time() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        end_all(children(proc.pid))
        log.seek(0)
        pytest.fail("dashboard did not become healthy: " + log.read().decode(errors="replace")[-2000:])
    servers = children(proc.pid)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            time.sleep(0.5)
            end_all(servers)
            log.close()


# the run has ended and drawn its end, and no element of an earlier run is left on the page
_SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale=true]');
}"""


def settle(page, timeout: float = 120) -> None:
    """Wait until the page's script run is over and its elements are all from that run (call it
    once the new run's content has started to show)."""
    page.wait_for_function(_SETTLED, timeout=timeout * 1000)

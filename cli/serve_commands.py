"""Commands that serve the dashboard: dashboard, demo."""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import click

from challenge_graph.cli.options import (
    EXAMPLES_DIR,
    db_option,
    db_path,
    friendly,
    memory_option,
    neo4j_option,
    open_store,
    summary,
    timeout_option,
)
from challenge_graph.cli.output import printable
from challenge_graph.pipeline.ingest import ingest

# bundled with the package (package data), wherever it is installed


DASHBOARD_APP = Path(str(resources.files("challenge_graph.dashboard") / "app.py"))


@click.command()
@db_option
@neo4j_option
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only).")
@timeout_option("--query-timeout", "Seconds a Cypher console query may run.")
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows the Cypher console shows at most.",
)
@memory_option
@friendly
def dashboard(
    db: str | None, neo4j: bool, port: int, host: str, query_timeout: float, max_rows: int, max_memory: int
) -> None:
    """Open the dashboard on the graph.

    \b
        challenge-graph dashboard --port 8502
        challenge-graph dashboard --neo4j --query-timeout 10
    """
    if neo4j:
        open_store(db, neo4j).close()  # fail here, clearly, rather than in the browser
    else:
        open_store(db)  # a --db that is a file fails here
    limits = ["--query-timeout", f"{query_timeout:g}", "--max-rows", str(max_rows), "--max-memory", str(max_memory)]
    _serve_dashboard(db_path(db), host, port, neo4j, limits)


@click.command()
@db_option
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--no-serve", "--no-dashboard", "no_dashboard", is_flag=True, help="Load the examples only.")
@friendly
def demo(db: str | None, port: int, host: str, no_dashboard: bool) -> None:
    """Load the bundled example corpus (examples/) and open the dashboard.

    \b
        challenge-graph demo
    """
    store = open_store(db)
    report = ingest(store, [EXAMPLES_DIR])
    click.echo(f"Loaded the examples into {printable(store.describe())}: {summary(report.counts)}")
    store.close()
    if not no_dashboard:
        _serve_dashboard(db_path(db), host, port)


def _serve_dashboard(db: Path, host: str, port: int, neo4j: bool = False, extra: list[str] | None = None) -> None:
    command = [
        sys.executable,
        "-P",  # the working directory is not on the path: no module planted there runs in the server
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        "100",  # MB per upload
        "--",
        *(["--neo4j"] if neo4j else ["--db", str(db.resolve())]),
        *(extra or []),
    ]
    click.echo(f"Dashboard on http://{host}:{port}  (Ctrl-C to stop)")
    sys.exit(_run_forwarding_signals(command))


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


GRACE_SECONDS = 10  # after a forwarded signal, before the child is killed


def _die_with(parent: int) -> None:
    """In the child, before it runs: receive SIGTERM when the parent dies, however it dies
    (SIGKILL included), so no server outlives its command."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _run_forwarding_signals(command: list[str]) -> int:
    """Run ``command`` as a child; SIGTERM, SIGHUP and SIGINT sent to this process reach the
    child too, and a child still running ``GRACE_SECONDS`` later is killed: stopping the
    command never leaves a server behind."""
    parent = os.getpid()
    child = subprocess.Popen(command, preexec_fn=functools.partial(_die_with, parent))  # the command has one thread

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)
            timer = threading.Timer(GRACE_SECONDS, lambda: child.poll() is None and child.kill())
            timer.daemon = True
            timer.start()

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
    return 0 if code in (-signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP) else code


COMMANDS = [dashboard, demo]

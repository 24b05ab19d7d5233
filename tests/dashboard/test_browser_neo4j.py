"""The real dashboard server on a live Neo4j (`challenge-graph dashboard --neo4j`), driven by
headless Chromium: the stages page and the console, with the same checks as on the embedded store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.dashboard import test_browser as embedded
from tests.hardening.test_servers_stop import children, end_all

page = embedded.page  # the browser, on the `server` below
test_loss_function_stage_shows_challenge_and_quote = embedded.test_loss_function_stage_shows_challenge_and_quote
test_console_runs_a_named_query = embedded.test_console_runs_a_named_query


@pytest.fixture(scope="module")
def server(neo4j_store, neo4j_env, unused_port_module):
    from challenge_graph.loaders.ingest import ingest
    from tests.conftest import EXAMPLES

    ingest(neo4j_store, [EXAMPLES], replace=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "challenge_graph", "dashboard", "--neo4j", "--port", str(unused_port_module)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **neo4j_env},
    )
    url = f"http://127.0.0.1:{unused_port_module}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        end_all(children(proc.pid))
        pytest.fail("dashboard did not become healthy: " + proc.stdout.read().decode()[-2000:])
    servers = children(proc.pid)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        time.sleep(0.5)
        end_all(servers)


@pytest.fixture(scope="module")
def unused_port_module():
    return embedded._free_port()


def test_the_page_says_it_reads_neo4j(page, neo4j_env):
    page.get_by_test_id("stSidebar").get_by_text("Overview", exact=True).click()
    page.get_by_text("Challenges in ML engineering").wait_for(timeout=30000)
    page.get_by_text(f"Neo4j at {neo4j_env['NEO4J_URI']}").first.wait_for(timeout=30000)

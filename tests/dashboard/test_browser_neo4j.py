"""The real dashboard server on a live Neo4j (`challenge-graph dashboard --neo4j`), driven by
headless Chromium: the stages page and the console, with the same checks as on the embedded store."""

from __future__ import annotations

import os

import pytest

from tests.dashboard import test_browser as embedded
from tests.dashboard.serve import free_port, serve_dashboard

page = embedded.page  # the browser, on the `server` below
test_loss_function_stage_shows_challenge_and_quote = embedded.test_loss_function_stage_shows_challenge_and_quote
test_console_runs_a_named_query = embedded.test_console_runs_a_named_query


@pytest.fixture(scope="module")
def server(neo4j_store, neo4j_env, unused_port_module, one_study):
    from challenge_graph.pipeline.ingest import ingest

    ingest(neo4j_store, [one_study], replace=True)  # what the embedded tests' sample_store holds
    with serve_dashboard(["--neo4j"], unused_port_module, env={**os.environ, **neo4j_env}, wait=90) as url:
        yield url


@pytest.fixture(scope="module")
def unused_port_module():
    return free_port()


def test_the_page_says_it_reads_neo4j(page, neo4j_env):
    page.get_by_test_id("stSidebar").get_by_text("Overview", exact=True).click()
    page.get_by_text("Challenges in ML engineering").wait_for(timeout=30000)
    page.get_by_text(f"Neo4j at {neo4j_env['NEO4J_URI']}").first.wait_for(timeout=30000)

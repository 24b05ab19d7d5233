"""Every dashboard page on a live Neo4j (``--neo4j``): the embedded store's page tests run
unchanged against the Neo4j store loaded from the same files, plus the pages that name the
store, load files into it, or need coders to compare."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from challenge_graph.pipeline.ingest import ingest
from tests.conftest import FIXTURES
from tests.dashboard import test_app as embedded
from tests.dashboard.test_app import APP, _page

# the same assertions as on the embedded store, now through `app` below
test_workflow_stage_opens_on_the_stage_with_most_codes = embedded.test_workflow_stage_opens_on_the_stage_with_most_codes
test_challenge_detail_shows_quotes_and_fixes = embedded.test_challenge_detail_shows_quotes_and_fixes
test_console_runs_named_query_and_refuses_writes = embedded.test_console_runs_named_query_and_refuses_writes
test_network_page_draws_the_stage_neighbourhood = embedded.test_network_page_draws_the_stage_neighbourhood
test_network_page_exports_what_it_shows = embedded.test_network_page_exports_what_it_shows
test_method_page_on_examples = embedded.test_method_page_on_examples


def _app(neo4j_env, monkeypatch, timeout=60):
    for name, value in neo4j_env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["db_path"] = "neo4j"  # as `challenge-graph dashboard --neo4j` sets it
    return at


@pytest.fixture
def app(neo4j_examples, neo4j_env, monkeypatch):
    return _app(neo4j_env, monkeypatch)


def test_overview_names_the_neo4j_store(app, neo4j_env):
    at = _page(app, "Overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Interviews"] == "4" and metrics["Challenges"] == "25"
    assert f"Neo4j at {neo4j_env['NEO4J_URI']} (database neo4j)" in at.caption[0].value
    assert at.expander[0].label == "Interview protocol: CV Reengineering Leader Interview Protocol (53 questions)"


def test_console_names_the_neo4j_dialect_and_refuses_load_csv(app):
    at = _page(app, "Cypher console")
    at.selectbox(key="console_query").set_value("(write your own)").run()
    at.text_area(key="cypher_(write your own)").set_value("LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r").run()
    at.button(key="run").click().run()
    assert not at.exception and at.error and "LOAD" in at.error[0].value
    assert any("Neo4j" in c.value for c in at.caption)


def test_load_page_loads_into_neo4j(app, neo4j_examples):
    at = _page(app, "Load data")
    at.file_uploader(key="uploads").set_value(
        [
            ("p9.txt", b"Interviewer: What was hard?\nP9: The loss function of our model.\n", "text/plain"),
        ]
    ).run()
    at.button(key="load").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Loaded 10 file(s): the graph now holds 5 interviews")
    titles = [t for (t,) in neo4j_examples.run("MATCH (i:Interview) RETURN i.title ORDER BY i.title").rows]
    assert "p9" in titles and len(titles) == 5


def test_method_page_on_three_coders(neo4j_store, neo4j_env, monkeypatch):
    ingest(neo4j_store, [FIXTURES / "delve-pdf"], replace=True)
    at = _app(neo4j_env, monkeypatch)
    at.run()
    at.sidebar.radio(key="page").set_value("Method").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "Data-metadata-issue" in list(table["code"]) and set(table["coders"]) == {2}
    at.session_state["method_pairs"] = True  # the coder pairs are drawn when their expander is opened
    at.run()
    pairs = at.dataframe[1].value
    assert {("Amin (consensus)", "PO"), ("Amin (consensus)", "Rached"), ("PO", "Rached")} <= set(
        zip(pairs["coder_a"], pairs["coder_b"])
    )

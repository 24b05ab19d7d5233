"""AppTest smoke and logic tests of each dashboard page on the example corpus."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(sample_store):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = str(sample_store.path)
    return at


def _page(at, title):
    at.run()
    at.sidebar.radio(key="page").set_value(title).run()
    assert not at.exception, at.exception
    return at


def test_overview(app):
    at = _page(app, "Overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Interviews"] == "4" and metrics["Challenges"] == "25"
    assert "embedded LadybugDB" in at.caption[0].value
    assert at.expander[0].label == "Interview protocol: CV Reengineering Leader Interview Protocol (53 questions)"
    assert any("hot spots" in m.value for m in at.expander[0].markdown)


def test_workflow_stage_lists_loss_function_challenges(app):
    at = _page(app, "Workflow stages")
    assert at.selectbox(key="stage").value == "Loss function"
    table = at.dataframe[0].value
    assert list(table["code"]) == ["Loss-differential-testing", "Loss-complexity"]
    at.selectbox(key="stage").set_value("Evaluation").run()
    assert "QM-robustness" in list(at.dataframe[0].value["code"])
    assert any("Fix: robustness" in m.value for m in at.markdown)


def test_challenge_detail_shows_quotes_and_fixes(app):
    at = _page(app, "Challenge detail")
    option = next(o for o in at.selectbox(key="challenge").options if o.endswith("(QM-robustness)"))
    at.selectbox(key="challenge").set_value(option).run()
    assert not at.exception
    assert any(s.value.startswith("Quotes (4 from 1 participants)") for s in at.subheader)
    assert "Fix: robustness" in list(at.dataframe[0].value["fix"])


def test_console_runs_named_query_and_refuses_writes(app):
    at = _page(app, "Cypher console")
    at.selectbox(key="console_query").set_value("challenges-at-stage").run()
    at.text_input(key="param_challenges-at-stage_stage").set_value("loss").run()
    at.button(key="run").click().run()
    assert not at.exception
    assert list(at.dataframe[0].value["code"]) == ["Loss-differential-testing", "Loss-complexity"]
    at.selectbox(key="console_query").set_value("(write your own)").run()
    at.text_area(key="cypher_(write your own)").set_value("MATCH (c:Challenge) DELETE c").run()
    at.button(key="run").click().run()
    assert at.error and at.error[0].value.startswith("read-only: DELETE is not allowed here")

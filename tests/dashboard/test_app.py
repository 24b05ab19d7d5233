"""AppTest smoke and logic tests of each dashboard page on the example corpus."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
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
    protocol = " ".join(h.proto.body for h in at.expander[0].get("html"))
    assert "hot spots" in protocol
    assert "*" not in protocol and "- 1." not in protocol  # no stray asterisks, one number per question


def _html(at, within=None) -> str:
    """The HTML that ``st.html`` drew (tables with links, quotes, lists), all of it."""
    return "\n".join(h.proto.body for h in (within or at).get("html"))


def _busiest_stage(store) -> str:
    """The stage with the most codes at it, counted independently of the dashboard's queries."""
    return store.run(
        "MATCH (c)-[:AT_STAGE]->(s:Stage) RETURN s.name, count(c) AS n, s.position ORDER BY n DESC, s.position LIMIT 1"
    ).rows[0][0]


def test_workflow_stage_opens_on_the_stage_with_most_codes(app, sample_store):
    at = _page(app, "Workflow stages")
    assert at.selectbox(key="stage").value == _busiest_stage(sample_store)
    at.selectbox(key="stage").set_value("Loss function").run()
    table = _html(at)
    assert "Loss-differential-testing" in table and "Loss-complexity" in table  # linked by code
    at.selectbox(key="stage").set_value("Evaluation").run()
    assert "challenge=QM-robustness" in _html(at)
    assert "Fix: robustness" in _html(at)  # its fix, linked
    assert 'href="?page=challenge&amp;challenge=QM-robustness"' in _html(at)  # a same-tab link, not a grid cell


def test_challenge_detail_shows_quotes_and_fixes(app):
    at = _page(app, "Challenge detail")
    option = next(o for o in at.selectbox(key="challenge").options if "(QM-robustness)" in o)
    at.selectbox(key="challenge").set_value(option).run()
    assert not at.exception
    assert any(s.value.startswith("Quotes (4 from 1 participant)") for s in at.subheader)
    turns = [e for e in at.expander if e.label == "Turns around it"]
    assert len(turns) == 4  # each quote can be read with the turns around it
    assert any("Interviewer 1" in m.value for m in turns[0].markdown)
    fixes = [e for e in at.expander if e.label.startswith("Fix: robustness")]
    assert len(fixes) == 1 and " quote" in fixes[0].label  # its fix, with its evidence


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


def test_network_page_draws_the_stage_neighbourhood(app, sample_store):
    at = _page(app, "Network")
    assert at.selectbox(key="net_stage").value == _busiest_stage(sample_store)  # a view that shows something
    at.selectbox(key="net_stage").set_value("Loss function").run()
    assert at.caption[0].value.startswith("Showing 6 of 6 nodes")
    legend = _html(at)
    assert "Lines:" in legend and "participant — a code on their quotes" in legend
    at.selectbox(key="net_centre").set_value("Whole workflow").run()
    at.slider(key="net_limit").set_value(20).run()
    assert not at.exception
    assert re.match(r"Showing 20 of \d+ nodes \(the node limit keeps the nodes with most evidence", at.caption[0].value)
    assert at.get("download_button")[0].proto.label == "Download HTML"


def test_load_page_checks_then_loads(tmp_path):
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.conftest import INTERVIEW_35

    store = LadybugStore(tmp_path / "db")
    alone = tmp_path / INTERVIEW_35.name  # in no study folder, as an upload is
    alone.write_bytes(INTERVIEW_35.read_bytes())
    ingest(store, [alone])
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = str(store.path)
    at.run()
    at.sidebar.radio(key="page").set_value("Load data").run()
    at.file_uploader(key="uploads").set_value(
        [
            ("p9.txt", b"Interviewer: What was hard?\nP9: The loss function of our model.\n", "text/plain"),
            ("empty.txt", b"", "text/plain"),
        ]
    ).run()
    assert not at.exception
    assert at.markdown[0].value == "1 file(s) read, 1 rejected."
    assert at.error[0].value == "empty.txt: empty file"
    at.button(key="load").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Loaded 2 file(s): the graph now holds 2 interviews")
    titles = store.run("MATCH (i:Interview) RETURN i.title AS t ORDER BY t").rows
    assert titles == [("Interview 35",), ("p9",)]
    store.close()


def test_load_page_spreads_a_large_load_over_processes(tmp_path, monkeypatch, capfd, one_study):
    """In the dashboard Streamlit's main module is the app: the load's worker processes must not
    run it again (graph/workers.py)."""
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.pipeline.workers import WORKERS_ENV
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.pipeline.test_incremental import _dump

    # uploads carry no folders: the examples as one study (see tests/conftest.py)
    files = sorted(p for p in one_study.rglob("*") if p.suffix in (".txt", ".yaml", ".csv"))
    files = list({p.name: p for p in reversed(files)}.values())  # one file per name: uploads have no folders
    monkeypatch.setenv(WORKERS_ENV, "2")
    store = LadybugStore(tmp_path / "db")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["db_path"] = str(store.path)
    at.run()
    at.sidebar.radio(key="page").set_value("Load data").run()
    at.file_uploader(key="uploads").set_value([(p.name, p.read_bytes(), "text/plain") for p in files]).run()
    assert not at.exception and not at.error
    capfd.readouterr()  # AppTest sets session state outside a run, which Streamlit warns of: not the load's
    at.button(key="load").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith(f"Loaded {len(files)} file(s)")
    # a worker that ran the app would have drawn it outside Streamlit, which says so on stderr
    err = capfd.readouterr().err
    assert "ScriptRunContext" not in err and "No runtime found" not in err, err[-1500:]
    monkeypatch.setenv(WORKERS_ENV, "1")
    reference = LadybugStore(tmp_path / "reference")
    ingest(reference, files)
    assert _dump(store) == _dump(reference)


def test_network_page_exports_what_it_shows(app):
    at = _page(app, "Network")
    at.selectbox(key="net_stage").set_value("Loss function").run()
    at.selectbox(key="export_format").set_value("PNG image").run()
    at.button(key="export").click().run()
    assert not at.exception
    data = at.session_state["export_file"]
    assert data.startswith(b"\x89PNG") and at.session_state["export_name"] == "network-stage-loss-function.png"
    at.selectbox(key="export_format").set_value("GraphML").run()
    at.button(key="export").click().run()
    assert at.session_state["export_file"].startswith(b"<?xml")


def test_method_page_on_three_coders(tmp_path):
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.conftest import FIXTURES

    store = LadybugStore(tmp_path / "db")
    ingest(store, [FIXTURES / "delve-pdf"])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = str(store.path)
    at.run()
    at.sidebar.radio(key="page").set_value("Method").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "Data-metadata-issue" in list(table["code"]) and set(table["coders"]) == {2}
    shown = table[["percent_agreement", "fleiss_kappa", "krippendorff_alpha"]].to_numpy().ravel()
    assert all(re.fullmatch(r"−?-?\d\.\d{3}|— \((no units|no variation)\)", str(v)) for v in shown), set(
        map(str, shown)
    )
    assert len(at.dataframe) == 1 and at.expander[0].label.startswith("**Coder pairs**")  # drawn when opened
    at.session_state["method_pairs"] = True
    at.run()
    pairs = at.dataframe[1].value
    from challenge_graph.queries.agreement import agreement

    assert at.expander[0].label.endswith(f": {len(agreement(store)[1])} rows")  # all of them; the table filters
    assert {("Amin (consensus)", "PO"), ("Amin (consensus)", "Rached"), ("PO", "Rached")} <= set(
        zip(pairs["coder_a"], pairs["coder_b"])
    )
    assert len(at.get("download_button")) == 2  # the agreement and the coder pairs, as CSV
    assert [t.label for t in at.tabs] == ["Inter-coder agreement", "Code saturation", "Co-occurrence"]
    assert not at.get("vega_lite_chart")  # the other tabs' analyses run when they are chosen
    _method_tab(at, "Co-occurrence")
    assert not at.exception and len(at.get("vega_lite_chart")) == 1
    assert [b.label for b in at.get("download_button")] == ["Download co-occurrence (CSV)"]
    store.close()


def _method_tab(at, section: str):
    """Choose a tab of the Method page (only the chosen tab's content is computed)."""
    at.session_state["method_tab"] = section
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == [section]
    return at


def test_method_page_on_examples(app):
    at = _page(app, "Method")
    assert any("No interview has two or more coders" in i.value for i in at.info)
    _method_tab(at, "Code saturation")
    assert list(at.dataframe[0].value["interview"])[:1] == ["Interview 35"]


def _chart_data(chart) -> pd.DataFrame:
    """The frame a Vega-Lite chart element was drawn from (sent to the browser as Arrow)."""
    import pyarrow as pa

    return pa.ipc.open_stream(chart.proto.data.data).read_pandas()


def test_saturation_chart_draws_the_saturation_figures(app, sample_store):
    from challenge_graph.queries.analysis import saturation

    at = _method_tab(_page(app, "Method"), "Code saturation")
    chart = at.get("vega_lite_chart")[0]
    drawn = _chart_data(chart)
    expected = saturation(sample_store)
    assert list(drawn["interview"]) == [r.interview for r in expected]
    assert list(drawn["order"]) == [r.order for r in expected]
    assert list(drawn["new_codes"]) == [r.new_codes for r in expected]
    assert list(drawn["codes"]) == [r.codes for r in expected]
    assert list(drawn["challenges"]) == [r.challenges for r in expected]
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["x"]["field"] == "order"
    assert [layer["encoding"]["y"]["field"] for layer in spec["layer"]] == ["new_codes", "value"]
    assert spec["layer"][1]["transform"][0]["fold"] == ["codes", "challenges"]
    assert [b.label for b in at.get("download_button")] == ["Download curve (PNG)"]


def test_cooccurrence_chart_draws_the_top_named_pairs(app, sample_store):
    from challenge_graph.dashboard.views.method import TOP_PAIRS, cooccurrence_chart
    from challenge_graph.queries.analysis import cooccurrence

    at = _method_tab(_page(app, "Method"), "Co-occurrence")
    chart = at.get("vega_lite_chart")[0]
    drawn = _chart_data(chart)
    kinds = dict(sample_store.run("MATCH (c:Challenge) RETURN c.code, 'Challenge'").rows)
    own = {frozenset(p) for p in sample_store.run("MATCH (f:Fix)-[:ADDRESSES]->(c) RETURN f.code, c.code").rows}
    expected = [
        (r["code_a"], r["code_b"], r["shared"])
        for r in cooccurrence(sample_store)
        if r["code_a"] in kinds and r["code_b"] in kinds and frozenset((r["code_a"], r["code_b"])) not in own
    ][:TOP_PAIRS]
    assert len(expected) >= 3
    assert list(zip(drawn["code_a"], drawn["code_b"], drawn["shared"])) == expected
    assert json.loads(chart.proto.spec)["layer"] == cooccurrence_chart(drawn)["layer"]


def test_saturation_png_is_the_command_line_drawing(sample_store, tmp_path):
    from challenge_graph.dashboard.views.method import _curve_png
    from challenge_graph.export.charts import saturation_curve
    from challenge_graph.queries.analysis import saturation

    rows = saturation(sample_store)
    curve = pd.DataFrame([vars(r) for r in rows])
    png = _curve_png(curve)
    out = tmp_path / "curve.png"
    columns = ([r.interview for r in rows], [r.codes for r in rows], [r.challenges for r in rows])
    saturation_curve(*columns, [r.new_codes for r in rows], out)
    assert png.startswith(b"\x89PNG") and png == out.read_bytes()


def test_method_page_never_imports_matplotlib(sample_store):
    """The saturation curve is drawn in the browser; matplotlib only draws the PNG download."""
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=60)\n"
        f"at.session_state['db_path'] = {str(sample_store.path)!r}\n"
        "at.run()\n"
        "at.sidebar.radio(key='page').set_value('Method').run()\n"
        "assert not at.exception, at.exception\n"
        "at.session_state['method_tab'] = 'Code saturation'\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.get('vega_lite_chart')\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def _console_run(at, cypher):
    at.selectbox(key="console_query").set_value("(write your own)").run()
    at.text_area(key="cypher_(write your own)").set_value(cypher).run()
    at.button(key="run").click().run()
    assert not at.exception
    return at


def test_console_refuses_settings_and_files_and_other_sessions_are_unaffected(sample_store):
    """Issue 13: `CALL timeout=1` stuck to the shared connection and broke every other
    session; `LOAD FROM` printed /etc/passwd."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = str(sample_store.path)
    _page(at, "Cypher console")
    for query, clause in (
        ("CALL timeout=1", "CALL timeout=…"),
        ("LOAD/**/FROM '/etc/passwd' RETURN *", "LOAD FROM"),
        ("CHECKPOINT", "CHECKPOINT"),
    ):
        _console_run(at, query)
        assert at.error and at.error[0].value.startswith(f"read-only: {clause} is not allowed"), at.error
    other = AppTest.from_file(APP, default_timeout=30)
    other.session_state["db_path"] = str(sample_store.path)
    _page(other, "Cypher console")
    _console_run(other, "MATCH (i:Interview) RETURN count(i) AS n")
    assert not other.error and list(other.dataframe[0].value["n"]) == [4]


def test_console_timeout_and_row_cap(sample_store, monkeypatch):
    monkeypatch.setattr("sys.argv", ["app.py", "--query-timeout", "1", "--max-rows", "5"])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = str(sample_store.path)
    _page(at, "Cypher console")
    assert "queries stop after 1 s" in at.caption[0].value and "show at most 5 rows" in at.caption[0].value
    _console_run(at, "MATCH (a),(b),(c),(d) WHERE a.id+b.id+c.id+d.id='x' RETURN count(*)")
    assert at.error[0].value.startswith("query stopped after 1 s")
    _console_run(at, "MATCH (e:Excerpt) RETURN e.id AS id")
    assert len(at.dataframe[0].value) == 5
    assert at.warning and "showing the first 5 rows" in at.warning[0].value


def test_undefined_statistics_read_as_a_dash_with_the_reason():
    from challenge_graph.dashboard.views.method import statistic

    assert [statistic(1.0, 0), statistic(float("nan"), 12), statistic(None, 3), statistic(0.31612, 104)] == [
        "— (no units)",
        "— (no variation)",
        "— (no variation)",
        "0.316",
    ]


def test_challenge_detail_opens_from_the_address_with_one_card_per_turn(tmp_path):
    """?page=challenge&challenge=… opens that challenge; a turn coded by three coders is one card."""
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.conftest import FIXTURES

    store = LadybugStore(tmp_path / "db")
    ingest(store, [FIXTURES / "delve-pdf"])
    code, turns, most = store.run(
        "MATCH (:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:Challenge) WHERE r.coder <> 'auto' "
        "WITH c, e, count(DISTINCT r.coder) AS coders WITH c, count(e) AS turns, max(coders) AS most "
        "WHERE most >= 2 AND turns <= 25 RETURN c.code, turns, most ORDER BY most DESC, turns DESC, c.code LIMIT 1"
    ).rows[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = str(store.path)
    at.query_params["page"] = "challenge"
    at.query_params["challenge"] = code
    at.run()
    assert not at.exception
    assert at.selectbox(key="challenge").value.endswith(f"({code})")
    cards = [c.value for c in at.caption if " · coded by " in c.value]
    assert len(cards) == turns  # (a PDF's line is its page: two turns may share one)
    assert max(c.split(" · coded by ")[1].count(",") + 1 for c in cards) == most
    store.close()


def test_file_names_can_neither_format_nor_forge_messages():
    from challenge_graph.dashboard.data import plain

    shown = plain("**evil**.txt\nRejected 0: <b>")
    assert "\n" not in shown and "<" not in shown and "**" not in shown
    assert shown.replace("\\", "").replace("&lt;", "<").replace("&gt;", ">") == "**evil**.txtnRejected 0: <b>"

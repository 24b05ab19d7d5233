"""AppTest of the Studies page and the sidebar's study filter on the example corpus as it ships (two
studies and a crosswalk), and of a store with one study."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
TITLES = {"jiang-2024": "Deep-learning model re-engineering", "cote-2024": "Quality issues in ML software systems"}


@pytest.fixture
def app(studies_store):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = str(studies_store.path)
    return at


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def _challenges_table(at) -> str:
    """The table of the challenges at the chosen reference stage."""
    (table,) = [h.proto.body for h in at.get("html") if "Mapped as</th>" in h.proto.body]
    return table


def _studies(at, **params):
    at.query_params.update({"page": "studies", **params})
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="page").value == "Studies"
    return at


def _comparison_rows(store) -> list[tuple[str, str, int, int]]:
    """(reference stage, study, participants, quotes), counted apart from the dashboard's queries."""
    rows = store.run(
        "MATCH (r:ReferenceStage)<-[:MAPS_TO]-(:Stage)<-[:AT_STAGE]-(c:Challenge)<-[x:CODED_AS]-(e:Excerpt)"
        "<-[:SAID]-(p:Participant) WHERE NOT x.coder STARTS WITH 'auto' "
        "RETURN r.name, c.study, count(DISTINCT p), count(DISTINCT e)"
    ).rows
    return sorted((str(a), str(b), int(n), int(q)) for a, b, n, q in rows)


def test_studies_page_shows_each_study_and_the_comparison(app, studies_store):
    at = _studies(app)
    assert [h.value for h in at.header] == [TITLES["cote-2024"], TITLES["jiang-2024"]]
    page = _html(at)
    assert "Côté et al." in page and "Jiang et al." in page  # citations
    assert "cote-2024-quality" in page and "jiang-2024-reengineering" in page  # codebooks
    assert [m.label for m in at.metric][:5] == ["Interviews", "Participants", "Coders", "Challenges", "Quotes"]
    assert [m.value for m in at.metric if m.label == "Interviews"] == ["2", "2"]
    assert any("**Coders:** Ilan (1 interview)" in m.value for m in at.markdown)
    table = page[page.index("id='study-comparison'") :]
    table = table[: table.index("</table>")]
    expected = _comparison_rows(studies_store)
    assert len(expected) >= 6
    for stage, study, participants, quotes in expected:
        assert f"<td>{stage}</td>" in table
        cell = (
            f"{participants} participant{'s' if participants != 1 else ''} · {quotes} quote{'s' if quotes != 1 else ''}"
        )
        stage_id = studies_store.run("MATCH (r:ReferenceStage {name: $n}) RETURN r.id", {"n": stage}).rows[0][0]
        link = f'href="?page=studies&amp;stage={stage_id}&amp;study={study}" target="_self">{cell}</a>'
        assert link in table, (stage, study)
    assert table.count("<tr>") == 1 + len({s for s, *_ in expected})  # a row per reference stage coded
    assert "Challenges matched across studies" in [s.value for s in at.subheader]
    assert 'challenge=Data-messy-real-world-data"' in page  # a crosswalk pair, linked


def test_a_cell_opens_that_stage_and_study(app):
    at = _studies(app, stage="model-training", study="cote-2024")
    assert at.sidebar.pills(key="study").value == "cote-2024"
    assert at.selectbox(key="reference_stage").value == "Model training"
    assert [h.value for h in at.header] == [TITLES["cote-2024"]]  # only the chosen study
    assert "Challenges at Model training (cote-2024)" in [s.value for s in at.subheader]
    challenges = _challenges_table(at)
    assert "challenge=QM-reproducibility" in challenges and "narrowMatch" in challenges
    assert "jiang-2024" not in challenges and "Loss-complexity" not in challenges
    at.sidebar.pills(key="study").set_value("all").run()  # every study: the other's challenges too
    assert "Challenges at Model training (every study)" in [s.value for s in at.subheader]
    assert "challenge=Loss-complexity" in _challenges_table(at)
    assert "study" not in at.query_params


def test_the_study_filter_reaches_the_workflow_stages_page(app):
    at = _studies(app, study="jiang-2024")
    at.sidebar.radio(key="page").set_value("Workflow stages").run()
    assert not at.exception, at.exception
    assert at.query_params["study"] == "jiang-2024"  # kept in the address from page to page
    at.selectbox(key="stage").set_value("Loss function").run()
    assert "Loss-complexity" in _html(at)
    at.sidebar.pills(key="study").set_value("cote-2024").run()
    assert "Loss-complexity" not in _html(at)  # a jiang-2024 stage holds no challenge of cote-2024


@pytest.mark.parametrize("store", ["sample_store", "delve_store"])
def test_no_study_filter_with_one_study(store, request):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["db_path"] = str(request.getfixturevalue(store).path)
    at.run()
    assert not at.exception
    assert not at.sidebar.pills  # a single study: nothing to choose
    at.sidebar.radio(key="page").set_value("Studies").run()
    assert not at.exception, at.exception
    assert len(at.header) == 1

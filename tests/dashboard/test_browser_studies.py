"""The Studies page in the real server and headless Chromium, on the example corpus as it ships (two studies):
both studies, the reference stage × study table, a cell opening that stage's challenges of that
study. A screenshot 1,280 px wide goes to $SCREENSHOTS (or the test's temporary folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.dashboard.serve import free_port, serve_dashboard, settle
from tests.dashboard.test_browser import CHROMIUM, LAUNCH_ARGS  # skips this module without Chromium

TITLES = ("Quality issues in ML software systems", "Deep-learning model re-engineering")


@pytest.fixture(scope="module")
def server(studies_store):
    with serve_dashboard(["--db", str(studies_store.path)], free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def _open(page, server, query: str) -> None:
    page.goto(f"{server}/?{query}")
    page.get_by_role("heading", name="Studies", exact=True).wait_for(timeout=120_000)
    page.get_by_role("heading", name="Challenges matched across studies").wait_for(timeout=60_000)
    settle(page)


def test_studies_page_shows_both_studies(page, server, tmp_path):
    _open(page, server, "page=studies")
    for title in TITLES:
        assert page.get_by_role("heading", name=title).is_visible()
    table = page.locator("#study-comparison")
    table.locator("tbody tr").last.wait_for(timeout=30_000)  # st.html draws after the run has ended
    assert [h.strip() for h in table.locator("th").all_inner_texts()] == ["Reference stage", "cote-2024", "jiang-2024"]
    stages = [row.strip() for row in table.locator("tbody tr td:first-child").all_inner_texts()]
    assert "Model training" in stages and "Data cleaning" in stages and "Reproducibility" in stages
    training = table.locator("tr", has_text="Model training")
    assert training.locator("a").all_inner_texts() == ["1 participant · 8 quotes", "1 participant · 3 quotes"]
    assert page.get_by_test_id("stException").count() == 0
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "dashboard-studies.png"), full_page=True)
    assert (shots / "dashboard-studies.png").stat().st_size > 10_000


def test_a_cell_opens_the_challenges_of_that_study_at_that_stage(page, server):
    _open(page, server, "page=studies")
    table = page.locator("#study-comparison")
    table.locator("tbody tr").last.wait_for(timeout=30_000)
    table.locator("tr", has_text="Model training").get_by_role("link", name="1 participant · 3 quotes").click()
    page.get_by_role("heading", name="Challenges at Model training (jiang-2024)").wait_for(timeout=60_000)
    settle(page)
    assert "stage=model-training" in page.url and "study=jiang-2024" in page.url
    assert page.get_by_role("heading", name=TITLES[1]).is_visible()
    assert page.get_by_role("heading", name=TITLES[0]).count() == 0  # the other study is filtered out
    page.get_by_role("link", name="Loss function is hard to implement", exact=False).first.wait_for(timeout=30_000)
    assert page.get_by_role("link", name="Robustness", exact=True).count() == 0  # cote-2024's


def test_a_study_downloads_as_a_refi_qda_project_that_loads_back(page, server, studies_store, tmp_path):
    """The download button gives the jiang-2024 study as a .qdpx: valid against the REFI-QDA
    schema, and loaded into a fresh store it holds that study's interviews and codings."""
    import zipfile

    from lxml import etree

    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.conftest import FIXTURES

    _open(page, server, "page=studies&study=jiang-2024")
    with page.expect_download(timeout=60_000) as caught:
        page.get_by_role("button", name="Download as a REFI-QDA project (.qdpx)").click()
    download = caught.value
    assert download.suggested_filename == "jiang-2024.qdpx"
    out = tmp_path / download.suggested_filename
    download.save_as(out)
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "refi-qda" / "Project-mrt2019.xsd")))
    with zipfile.ZipFile(out) as archive:
        assert schema.validate(etree.fromstring(archive.read("project.qde"))), schema.error_log
    copy = LadybugStore(tmp_path / "copy")
    assert not ingest(copy, [out]).rejected
    count = (
        "MATCH (e:Excerpt)-[r:CODED_AS]->(:Challenge) MATCH (e)-[:FROM]->(i:Interview) "
        "WHERE i.study = $s RETURN count(r)"
    )
    assert copy.run(count, {"s": "default"}).rows == studies_store.run(count, {"s": "jiang-2024"}).rows
    copy.close()

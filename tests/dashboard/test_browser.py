"""The real dashboard server (`challenge-graph dashboard`) driven by headless Chromium."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, LAUNCH_ARGS  # one browser set-up for the tests and the benchmark
from tests.dashboard.serve import free_port, serve_dashboard, settle

if not os.path.exists(CHROMIUM):
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but Debian's chromium is not installed")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

SLOW_QUERY_TIMEOUT = 60  # seconds: the console's limit in these tests (room for a slow machine)
CROSS_PRODUCT = "MATCH (a),(b),(c),(d) WHERE a.id+b.id+c.id+d.id='x' RETURN count(*)"


@pytest.fixture(scope="module")
def server(sample_store):
    args = ["--db", str(sample_store.path), "--query-timeout", str(SLOW_QUERY_TIMEOUT)]
    with serve_dashboard(args, free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        yield page
        browser.close()


def _go(page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60000)
    settle(page)  # the previous page's elements (its selectboxes) are gone


def _choose(page, selectbox, option: str) -> None:
    selectbox.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_overview_renders_the_corpus(page):
    page.get_by_text("Challenges in ML engineering").wait_for(timeout=30000)
    # metrics arrive one by one while the page renders: find the one by its label, not its position
    metric = page.get_by_test_id("stMetric").filter(has_text="Interviews")
    metric.wait_for(timeout=30000)
    assert metric.inner_text().split() == ["Interviews", "4"]
    assert page.get_by_test_id("stException").count() == 0


def test_loss_function_stage_shows_challenge_and_quote(page, tmp_path):
    _go(page, "Workflow stages")
    _choose(page, page.get_by_test_id("stSelectbox").first, "Evaluation")
    page.get_by_role("heading", name="Challenges at Evaluation").wait_for(timeout=60000)
    settle(page)
    _choose(page, page.get_by_test_id("stSelectbox").first, "Loss function")
    page.get_by_role("heading", name="Challenges at Loss function").wait_for(timeout=60000)
    settle(page)
    # the table's names are links (same tab)
    cell = page.locator(".cg-table a", has_text="Loss cannot be differentially tested")
    cell.first.wait_for(state="attached", timeout=30000)
    page.get_by_text("still not able to differential test our ANONYMIZED_MODELNAME loss").first.wait_for()
    page.get_by_text("Leader 4 · reengineering-leader-4, line 22").first.wait_for()
    page.screenshot(path=str(tmp_path / "workflow.png"), full_page=True)
    assert (tmp_path / "workflow.png").stat().st_size > 10_000
    assert page.get_by_test_id("stException").count() == 0


def test_console_runs_a_named_query(page, tmp_path):
    _go(page, "Cypher console")
    _choose(page, page.get_by_test_id("stSelectbox").first, "top-challenges")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("10 rows").wait_for(timeout=30000)
    cell = page.locator("[role=gridcell]", has_text="MLP-costly-platforms")
    cell.first.wait_for(state="attached", timeout=30000)
    page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
    assert page.get_by_test_id("stException").count() == 0


def test_a_slow_console_query_does_not_stop_another_session(server, page):
    """Issue 13: the cross product ran for minutes and left every other session without an
    answer. Now another session's page renders while it runs, and it is stopped by the timeout."""
    slow = page.context.browser.new_page()
    slow.goto(server)
    _go(slow, "Cypher console")
    slow.get_by_test_id("stTextArea").locator("textarea").fill(CROSS_PRODUCT)
    slow.get_by_role("button", name="Run").click()
    time.sleep(1)  # the query is running
    other = page.context.browser.new_page()
    other.goto(server)
    interviews = other.get_by_test_id("stMetric").filter(has_text="Interviews").first
    interviews.wait_for(timeout=SLOW_QUERY_TIMEOUT * 1000)
    assert interviews.inner_text().split() == ["Interviews", "4"]
    still_running = slow.get_by_text(f"query stopped after {SLOW_QUERY_TIMEOUT} s").count() == 0
    slow.get_by_text(f"query stopped after {SLOW_QUERY_TIMEOUT} s").wait_for(timeout=60000)
    assert still_running  # the other session answered before the slow query ended
    slow.close()
    other.close()


def test_network_draws_nodes_offline(page):
    _go(page, "Network")
    frame = page.frame_locator("iframe").first
    frame.locator("#mynetwork canvas").wait_for(timeout=30000)
    # vis-network is inlined, so the graph drew without any network access: count its nodes
    drawn = page.frames[-1].evaluate(
        "() => network.body.data.nodes.getIds().filter(id => !String(id).startsWith('heading:')).length"
    )
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Showing").first.inner_text()
    assert drawn == int(re.search(r"Showing (\d+) of", caption).group(1)) and drawn > 6


def test_method_page(page, tmp_path):
    _go(page, "Method")
    page.get_by_text("No interview has two or more coders yet").wait_for(timeout=30000)
    page.get_by_role("tab", name="Code saturation").click()  # a tab's analysis runs when it is chosen
    page.get_by_role("heading", name="Code saturation").wait_for(timeout=30000)
    # the saturation curve is drawn in the browser (Vega-Lite), not sent as a picture
    curve = page.get_by_test_id("stVegaLiteChart").first
    curve.locator("canvas, svg.marks").first.wait_for(timeout=30000)
    # its first layout pass may be smaller: wait for the drawn height
    page.wait_for_function("e => e.getBoundingClientRect().height > 200", arg=curve.element_handle(), timeout=30000)
    page.screenshot(path=str(tmp_path / "method.png"), full_page=True)
    assert page.get_by_test_id("stException").count() == 0
    # the PNG for talks is drawn when asked for, as the command line draws it
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="Download curve (PNG)").click()
    assert download.value.suggested_filename == "saturation.png"
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")

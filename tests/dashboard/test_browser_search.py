"""Search by meaning and "More like this" in the real dashboard, driven by headless Chromium."""

from __future__ import annotations

import pytest

from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.search import more_like, search
from tests.dashboard.serve import free_port, serve_dashboard, settle
from tests.dashboard.test_browser import CHROMIUM, LAUNCH_ARGS, _go
from tests.semantic.conftest import semantic_store as semantic_store_fixture

semantic_store = semantic_store_fixture  # the examples loaded once with vectors

QUERY = "the labels were inconsistent between annotators"


@pytest.fixture(scope="module")
def page(semantic_store):
    from playwright.sync_api import sync_playwright

    with serve_dashboard(["--db", str(semantic_store.path)], free_port()) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        yield page
        browser.close()


def test_search_box_lists_the_nearest_quotes(page, semantic_store):
    expected = search(semantic_store, encoder(), QUERY, limit=10)
    _search_for(page, QUERY)
    first = expected[0]
    page.get_by_text(f"{first.speaker} · {first.interview}, line {first.line}").first.wait_for(timeout=30000)
    page.get_by_text(f"similarity {first.score:.2f}").first.wait_for()
    assert page.get_by_test_id("stException").count() == 0


def _search_for(page, text: str) -> None:
    _go(page, "Search by meaning")
    box = page.get_by_test_id("stTextInput").first.locator("input")
    box.fill(text)
    box.press("Enter")
    page.get_by_role("heading", name="10 nearest quotes").wait_for(timeout=120000)
    settle(page)


def test_more_like_this_from_a_quote_card(page, semantic_store):
    """On its own (not after another test's page): search, wait until the run is over, then click."""
    expected = search(semantic_store, encoder(), QUERY, limit=10)
    _search_for(page, QUERY)
    page.get_by_role("button", name="More like this").first.click(timeout=120000)
    page.get_by_text("Quotes like this one").wait_for(timeout=60000)
    neighbour = more_like(semantic_store, expected[0].excerpt, limit=10)[0]
    # as long as the heading's wait: the cards come in the same run, which a loaded CI machine slows
    page.get_by_text(f"{neighbour.speaker} · {neighbour.interview}, line {neighbour.line}").first.wait_for(
        timeout=60000
    )
    assert page.get_by_test_id("stException").count() == 0

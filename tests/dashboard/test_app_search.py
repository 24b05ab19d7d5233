"""AppTest of the search page and of "More like this" on the challenge page's quote cards."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from challenge_graph.semantic.search import more_like, search
from tests.conftest import ROOT
from tests.semantic.conftest import require_extra
from tests.semantic.conftest import semantic_store as semantic_store_fixture

semantic_store = semantic_store_fixture  # the fixture, loaded once with vectors

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(semantic_store):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["db_path"] = str(semantic_store.path)
    at.run()
    return at


def _quotes(at):
    """The quote cards' texts, in order (drawn at full contrast, as HTML)."""
    import html
    import re

    bodies = "".join(h.proto.body for h in at.get("html"))
    return [html.unescape(q) for q in re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", bodies, re.S)]


def test_search_page_lists_the_nearest_quotes(app, semantic_store):
    from challenge_graph.semantic.load import encoder

    app.sidebar.radio(key="page").set_value("Search by meaning").run()
    assert not app.exception, app.exception
    app.text_input(key="search_text").set_value("the labels were inconsistent between annotators").run()
    assert not app.exception, app.exception
    expected = search(semantic_store, encoder(), "the labels were inconsistent between annotators", limit=10)
    assert _quotes(app) == [h.quote for h in expected]
    assert f"similarity {expected[0].score:.2f}" in app.caption[0].value
    assert 'href="?page=challenge&amp;challenge=' in "".join(h.proto.body for h in app.get("html"))  # codes link


def test_more_like_this_opens_the_quote_neighbours(app, semantic_store):
    app.sidebar.radio(key="page").set_value("Challenge detail").run()
    option = next(o for o in app.selectbox(key="challenge").options if "(QM-robustness)" in o)
    app.selectbox(key="challenge").set_value(option).run()
    buttons = [b for b in app.button if b.label == "More like this"]
    assert len(buttons) == 4  # one per quote card
    excerpt = buttons[0].key.removeprefix("like_")
    buttons[0].click().run()
    assert not app.exception, app.exception
    assert app.sidebar.radio(key="page").value == "Search by meaning"
    neighbours = [h.quote for h in more_like(semantic_store, excerpt, limit=10)]
    assert _quotes(app)[1:] == neighbours  # the quote itself first, then its neighbours


def test_search_page_without_vectors_says_how_to_get_them(sample_store):
    require_extra()  # without the extra, the page says how to install it instead
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = str(sample_store.path)
    at.run()
    at.sidebar.radio(key="page").set_value("Search by meaning").run()
    assert not at.exception
    assert any("--semantic" in i.value for i in at.info)

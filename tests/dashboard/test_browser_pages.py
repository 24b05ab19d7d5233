"""Every dashboard page at 1,000 synthetic interviews, in the real server and headless Chromium,
checked as a person would look at it: network labels legible at first paint, the whole view in
its frame and no line through a label, heat-map labels whole, one card per quoted turn, one count for the same quotes,
undefined statistics explained, links between pages. Screenshots go to $SCREENSHOTS (or the
test's temporary folder)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.dashboard.serve import free_port, serve_dashboard, settle
from tests.dashboard.test_browser import CHROMIUM, LAUNCH_ARGS
from tests.dashboard.test_browser_delve import _network

INTERVIEWS = 1000
MIN_LABEL_PX = 11


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    """The benchmark generator's 1,000 interviews, generated and loaded once (or, to iterate on
    these tests, a database already loaded from it: $CORPUS_1000_DB)."""
    from benchmarks.generate import generate_corpus
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore

    if os.environ.get("CORPUS_1000_DB"):
        store = LadybugStore(Path(os.environ["CORPUS_1000_DB"]))
        yield store
        store.close()
        return
    root = tmp_path_factory.mktemp("corpus1000")
    generate_corpus(root / "corpus", INTERVIEWS)
    store = LadybugStore(root / "db")
    assert not ingest(store, [root / "corpus"]).rejected
    yield store
    store.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(corpus_store):
    with serve_dashboard(["--db", str(corpus_store.path)], free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield page
    page.close()


def _open(page, server, query: str, heading: str):
    page.goto(f"{server}/?{query}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    settle(page)
    return page


def _selected(page, timeout: float = 30) -> str:
    """The first selectbox's value, once the page has settled on one."""
    box = page.get_by_test_id("stSelectbox").first.locator("input")
    box.wait_for(timeout=timeout * 1000)
    value, deadline = "", time.time() + timeout
    while time.time() < deadline:
        value = box.input_value()
        time.sleep(1)
        if value and value == box.input_value():
            return value
    return value


def _rows(store, cypher: str, **params):
    return store.run(cypher, params).rows


def _network_view(page) -> dict:
    """What the network frame shows: label sizes on screen, boxes against the frame, nodes."""
    frame = page.frame_locator("iframe").first
    frame.locator("#mynetwork canvas").wait_for(timeout=60_000)
    body = frame.locator("body")
    body.evaluate(
        "() => new Promise(done => { (function wait() { window.networkFitted ? done() : setTimeout(wait, 50); })(); })"
    )
    return body.evaluate("""() => {
        const scale = network.getScale();
        const canvas = document.querySelector('#mynetwork canvas').getBoundingClientRect();
        const ids = network.body.data.nodes.getIds();
        const out = {scale, nodes: ids.length, width: canvas.width, height: canvas.height,
                     fonts: [], outside: [], centres: {}};
        for (const id of ids) {
            const node = network.body.nodes[id];
            out.fonts.push(node.options.font.size * scale);
            const box = network.getBoundingBox(id);
            const a = network.canvasToDOM({x: box.left, y: box.top});
            const b = network.canvasToDOM({x: box.right, y: box.bottom});
            if (a.x < -1 || a.y < -1 || b.x > canvas.width + 1 || b.y > canvas.height + 1) { out.outside.push(id); }
            const centre = network.canvasToDOM(network.getPosition(id));
            out.centres[id] = {x: centre.x + canvas.left, y: centre.y + canvas.top};  // in the frame
        }
        return out;
    }""")


def test_overview_heat_map_labels_whole(page, server, corpus_store, shots):
    _open(page, server, "page=overview", "Challenges in ML engineering")
    chart = page.locator(".vega-embed svg").first
    chart.locator("g.role-axis-label text").first.wait_for(timeout=60_000)
    labels = chart.locator("g.role-axis-label text").all_text_contents()
    stages = {r[0] for r in _rows(corpus_store, "MATCH (:Challenge)-[:AT_STAGE]->(s:Stage) RETURN DISTINCT s.name")}
    categories = {
        r[0] for r in _rows(corpus_store, "MATCH (c:Challenge)-[:AT_STAGE]->(:Stage) RETURN DISTINCT c.category")
    }
    unstaged = {
        r[0] or "Uncategorised"
        for r in _rows(
            corpus_store,
            "MATCH (c:Challenge) WHERE NOT EXISTS { MATCH (c)-[:AT_STAGE]->(:Stage) } RETURN DISTINCT c.category",
        )
    }
    if unstaged:  # a row for the challenges at no stage, so that the map adds up to the tile
        stages, categories = stages | {"(no stage)"}, categories | unstaged
    assert set(labels) == stages | categories and len(labels) == len(stages) + len(categories)  # none cut, none dropped
    ticks = chart.locator("g.role-legend-label text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    page.screenshot(path=str(shots / "overview.png"), full_page=True)
    chart.screenshot(path=str(shots / "overview-heat-map.png"))  # the page scrolls inside: the chart itself


def test_stages_page_counts_agree_and_links_open_the_challenge(page, server, corpus_store, shots):
    (stage,) = _rows(
        corpus_store,
        "MATCH (c:Challenge)-[:AT_STAGE]->(s:Stage) WHERE s.parent = '' "
        "RETURN s.id, count(c) AS n ORDER BY n DESC, s.id LIMIT 1",
    )[0][:1]
    name = _rows(corpus_store, "MATCH (s:Stage {id: $s}) RETURN s.name", s=stage)[0][0]
    _open(page, server, f"page=stages&stage={stage}", f"Challenges at {name}")
    expander = page.get_by_test_id("stExpander").first
    label = expander.locator("summary").inner_text()
    expander.locator("summary").click()
    challenge, quotes = re.search(r"([^\n]+?) · \d+ participants? · (\d+) quotes?", label).groups()
    link = expander.get_by_role("link", name=challenge)
    link.wait_for()
    code = re.search(r"challenge=([^&]+)", link.get_attribute("href")).group(1)
    counted = _rows(
        corpus_store,
        "MATCH (:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:Challenge {code: $c}) "
        "WHERE r.coder <> 'auto' RETURN count(DISTINCT e)",
        c=code,
    )[0][0]
    assert int(quotes) == counted  # the label's count is the independent count of quoted turns
    assert f"all {counted} quotes" in expander.inner_text()  # the same count as the label
    page.screenshot(path=str(shots / "stages.png"), full_page=True)
    link.click()
    page.get_by_role("heading", name="Challenge detail").first.wait_for(timeout=60_000)
    assert _selected(page).endswith(f"({code})") and f"challenge={code}" in page.url


def test_challenge_detail_one_card_per_turn(page, server, corpus_store, shots):
    code, turns = _rows(
        corpus_store,
        """
        MATCH (:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:Challenge) WHERE r.coder <> 'auto'
        WITH c, e, count(DISTINCT r.coder) AS coders
        WITH c, count(e) AS turns, max(coders) AS most WHERE most >= 2 AND turns <= 25
        RETURN c.code, turns ORDER BY turns DESC, c.code LIMIT 1""",
    )[0]
    _open(page, server, f"page=challenge&challenge={code}", "Challenge detail")
    page.get_by_role("heading", name=re.compile(rf"Quotes \({turns} from")).wait_for(timeout=60_000)
    cards = page.get_by_test_id("stCaptionContainer").filter(has_text="coded by")
    expect(cards).to_have_count(turns, timeout=60_000)  # cards arrive a batch at a time
    settle(page)
    captions = cards.all_inner_texts()
    assert len(captions) == turns and len(set(captions)) == turns  # one card per turn
    assert any(re.search(r"coded by \w+, \w+$", c) for c in captions)  # a turn coded twice names both coders
    page.screenshot(path=str(shots / "challenge.png"), full_page=True)


@pytest.mark.parametrize("view", ["stage", "workflow"])
def test_network_readable_at_first_paint_and_a_click_opens_the_challenge(page, server, corpus_store, shots, view):
    _open(page, server, f"page=network&around={view}", "Network")
    shown = _network_view(page)
    assert shown["nodes"] >= 40
    assert min(shown["fonts"]) >= MIN_LABEL_PX, f"labels {min(shown['fonts']):.1f} px at first paint"
    assert not shown["outside"], f"{len(shown['outside'])} nodes outside the frame"
    lines = _network(page)  # every line drawn at first paint followed along its path
    assert not lines["crossings"], f"lines through a label box: {lines['crossings'][:5]}"
    assert not lines["rewrapped"], f"labels broken by the browser: {lines['rewrapped'][:5]}"
    page.screenshot(path=str(shots / f"network-{view}.png"), full_page=True)
    node, point = min(
        ((n, p) for n, p in shown["centres"].items() if n.startswith("Challenge:")), key=lambda x: x[1]["y"]
    )
    page.locator("iframe").first.click(position={"x": point["x"], "y": point["y"]})
    page.get_by_role("heading", name="Challenge detail").first.wait_for(timeout=60_000)
    code = _rows(corpus_store, "MATCH (c:Challenge {id: $id}) RETURN c.code", id=node.split(":", 1)[1])[0][0]
    assert _selected(page).endswith(f"({code})")


def test_method_page_explains_undefined_statistics_and_labels_whole(page, server, shots):
    _open(page, server, "page=method", "Method")
    page.get_by_text("Fleiss' κ, all codes").wait_for(timeout=180_000)  # the figure over all codes first
    cells = page.locator("[role=gridcell]")
    cells.first.wait_for(state="attached", timeout=60_000)
    texts = [t.strip() for t in cells.all_inner_texts()]
    assert not [t for t in texts if t in ("None", "nan", "NaN")]  # undefined reads "— (why)"
    assert all(t in ("— (no units)", "— (no variation)") for t in texts if "—" in t)
    page.screenshot(path=str(shots / "method.png"), full_page=True)
    page.get_by_role("tab", name="Co-occurrence").click()  # each analysis has its tab, run when chosen
    page.get_by_role("heading", name="Co-occurrence").wait_for(timeout=180_000)
    page.locator(".vega-embed svg g.role-axis-label text").first.wait_for(timeout=60_000)
    settle(page)
    labels = page.locator(".vega-embed svg g.role-axis-label text").all_text_contents()
    assert labels and not [t for t in labels if t.endswith("…")]
    page.locator(".vega-embed svg").first.screenshot(path=str(shots / "method-co-occurrence.png"))


def test_console_names_columns_as_written(page, server, shots):
    _open(page, server, "page=console", "Cypher console")
    page.get_by_test_id("stTextArea").locator("textarea").fill("MATCH (n:Interview) RETURN labels(n), n.title LIMIT 3")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("3 rows").wait_for(timeout=60_000)
    with page.expect_download() as download:  # the grid draws on a canvas: read the table it shows
        page.get_by_role("button", name="Download CSV").click()
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header == "labels(n),n.title", header
    page.screenshot(path=str(shots / "console.png"), full_page=True)

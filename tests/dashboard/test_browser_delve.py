"""The dashboard on a real study (the Delve PDFs: three interviews, two coders each, a
moderator), in the real server and headless Chromium, looked at as a researcher would at first
glance: no network line through a label, whole words, a legend of lines, a default view that shows
something; codes at no stage shown as such; pages that open on what was coded; headings and
summaries before the quotes; links that stay in the tab. Screenshots go to $SCREENSHOTS (or the
test's temporary folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright  # noqa: E402  (after the skip of test_browser)

from tests.dashboard.serve import free_port, serve_dashboard, settle
from tests.dashboard.test_browser import CHROMIUM, LAUNCH_ARGS

MIN_LABEL_PX = 11


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(delve_store):
    with serve_dashboard(["--db", str(delve_store.path)], free_port()) as url:
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


def _shot(page, path: Path) -> None:
    """The whole page: the window made as tall as what Streamlit scrolls inside it."""
    tall = page.evaluate("() => Math.max(...[...document.querySelectorAll('div, section')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(int(tall) + 40, 8000)})
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})


# every line drawn at first paint followed along its path (straight or curved, as vis-network
# draws it) against every box but its ends'; labels as vis-network wrapped them
_NETWORK = """() => {
    const ids = network.body.data.nodes.getIds();
    const boxes = Object.fromEntries(ids.map(id => [id, network.getBoundingBox(id)]));
    const canvas = document.querySelector("#mynetwork canvas").getBoundingClientRect();
    const out = {nodes: ids.length, drawn: 0, crossings: [], rewrapped: [], fonts: [], scale: network.getScale(),
                 canvas: [canvas.width, canvas.height]};
    for (const id of network.body.data.edges.getIds()) {
        const edge = network.body.edges[id];
        if (edge.options.hidden) { continue; }
        out.drawn += 1;
        let hit = null;
        for (let i = 0; i <= 200 && !hit; i++) {
            const p = edge.edgeType.getPoint(i / 200);
            for (const node of ids) {
                const b = boxes[node];
                if (node !== edge.fromId && node !== edge.toId && p.x > b.left && p.x < b.right
                    && p.y > b.top && p.y < b.bottom) { hit = node; break; }
            }
        }
        if (hit) { out.crossings.push([edge.fromId, edge.toId, hit]); }
    }
    for (const id of ids) {
        const node = network.body.nodes[id];
        const given = String(network.body.data.nodes.get(id).label).split("\\n");
        const drawn = node.labelModule.lines.map(l => l.blocks.map(b => b.text).join(""));
        if (drawn.length !== given.length) { out.rewrapped.push([id, given, drawn]); }
        out.fonts.push(node.options.font.size * out.scale);
    }
    return out;
}"""


def _network(page) -> dict:
    frame = page.frame_locator("iframe").first
    frame.locator("#mynetwork canvas").wait_for(timeout=60_000)
    body = frame.locator("body")
    body.evaluate(
        "() => new Promise(done => { (function wait() { window.networkFitted ? done() : setTimeout(wait, 50); })(); })"
    )
    return body.evaluate(_NETWORK)


@pytest.mark.parametrize("around", ["", "workflow", "challenge", "participant"])
def test_network_no_line_crosses_a_label_at_first_paint(page, server, shots, around):
    _open(page, server, "page=network" + (f"&around={around}" if around else ""), "Network")
    shown = _network(page)
    assert shown["nodes"] >= 5, "the default view shows something"
    assert shown["drawn"] >= 3, "lines are drawn"
    assert not shown["crossings"], f"lines through a label box: {shown['crossings']}"
    assert not shown["rewrapped"], f"labels broken by the browser, not between words: {shown['rewrapped']}"
    assert min(shown["fonts"]) >= MIN_LABEL_PX, f"labels {min(shown['fonts']):.1f} px at first paint {shown['canvas']}"
    legend = page.locator(".network-legend")
    assert legend.count() == 1 and "Lines:" in legend.inner_text()  # what a line means
    _shot(page, shots / f"delve-network-{around or 'default'}.png")


def test_network_opens_on_the_stage_with_most_codes(page, server, delve_store):
    _open(page, server, "page=network", "Network")
    busiest = delve_store.run(
        "MATCH (c)-[:AT_STAGE]->(s:Stage) RETURN s.name, count(c) AS n ORDER BY n DESC, s.name LIMIT 1"
    ).rows[0][0]
    box = page.get_by_test_id("stSelectbox").nth(1).locator("input")
    assert box.input_value() == busiest
    assert (
        page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"Showing \d+ of \d+ nodes")).count() == 1
    )


def _stays_in_the_tab(page, click, address: str, heading: str) -> None:
    """A click on a link opens ``address`` in this tab (no new tab, the page's heading there)."""
    click()
    page.wait_for_url(re.compile(address), timeout=60_000)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    assert len(page.context.pages) == 1, "a link opened another tab"


def test_links_open_their_page_in_the_same_tab(page, server, delve_store):
    _open(page, server, "page=stages", "Workflow stages")
    box = page.locator("[data-testid=stGraphVizChart] svg a").filter(has=page.get_by_text("Training", exact=True))
    _stays_in_the_tab(page, box.click, r"page=stages&stage=training", "Challenges at Training")  # a stage box
    _open(page, server, "page=overview", "Challenges in ML engineering")
    name = page.locator(".cg-table a").first
    code = re.search(r"challenge=([^&#]+)", name.get_attribute("href")).group(1)
    _stays_in_the_tab(page, name.click, rf"challenge={re.escape(code)}", "Challenge detail")  # a table's name
    _open(page, server, "page=overview", "Challenges in ML engineering")
    cell = page.locator(".vega-embed svg g.mark-text text").first  # the count a reader clicks on
    cell.wait_for(timeout=60_000)
    _stays_in_the_tab(page, cell.click, r"page=stages&stage=", "Workflow stages")  # a heat-map cell


def test_challenge_detail_reads_heading_summary_then_quotes(page, server, delve_store, shots):
    _open(page, server, "page=challenge&challenge=Data-metadata-issue", "Challenge detail")
    heading = page.get_by_role("heading", name="Metadata issue", exact=True)
    fixes = page.get_by_role("heading", name="Fixes")
    quotes = page.get_by_role("heading", name=re.compile(r"^Quotes \(\d+ from"))
    quotes.wait_for(timeout=60_000)
    tops = [h.bounding_box()["y"] for h in (heading, fixes, quotes)]
    assert tops == sorted(tops), "heading, then summary, then quotes"
    card = page.locator("blockquote").first
    colour = card.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(31, 41, 51)", colour  # as dark as body text, not greyed
    assert page.get_by_text(re.compile(r"Interview \d+, p\. \d+ · coded by")).count() >= 1
    _shot(page, shots / "delve-challenge.png")


def test_overview_stages_and_method_as_a_researcher_sees_them(page, server, shots):
    _open(page, server, "page=overview", "Challenges in ML engineering")
    page.locator(".vega-embed svg g.role-axis-label text").first.wait_for(timeout=60_000)
    labels = page.locator(".vega-embed svg g.role-axis-label text").all_text_contents()
    assert "(no stage)" in labels
    ticks = page.locator(".vega-embed svg g.role-legend-label text").all_text_contents()
    assert len(ticks) > 2 and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    _shot(page, shots / "delve-overview.png")
    _open(page, server, "page=stages", "Workflow stages")
    page.get_by_role("heading", name=re.compile("^Challenges at ")).wait_for(timeout=60_000)
    _shot(page, shots / "delve-stages.png")
    _open(page, server, "page=method", "Method")
    page.get_by_text("Fleiss' κ, all codes").wait_for(timeout=120_000)
    metric = page.get_by_test_id("stMetric").first.bounding_box()["y"]
    table = page.get_by_test_id("stDataFrame").first.bounding_box()["y"]
    assert metric < table, "the figure over all codes comes before the table of codes"
    _shot(page, shots / "delve-method.png")
    page.get_by_role("tab", name="Co-occurrence").click()
    page.get_by_role("heading", name="Co-occurrence").wait_for(timeout=120_000)
    page.locator(".vega-embed svg g.role-axis-label text").first.wait_for(timeout=60_000)
    settle(page)
    angles = page.locator(".vega-embed svg g.role-axis-label text").evaluate_all(
        "ts => ts.map(t => t.getAttribute('transform') || '')"
    )
    assert not [a for a in angles if "rotate" in a], "labels level, not slanted"
    _shot(page, shots / "delve-method-co-occurrence.png")

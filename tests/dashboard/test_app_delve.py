"""Each page on a real study (the Delve PDFs: three interviews, two coders, a moderator), through
AppTest: what a researcher reads first, checked against counts taken from the store directly."""

from __future__ import annotations

import html
import json
import re

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from tests.dashboard.test_app import APP, _html, _method_tab


def _app(store, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["db_path"] = str(store.path)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _rows(store, cypher: str, **params) -> list:
    return store.run(cypher, params).rows


def _unstaged(store) -> list[str]:
    codes = _rows(
        store,
        "MATCH (c:Challenge) OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage) WITH c, count(s) AS n "
        "WHERE n = 0 RETURN c.code ORDER BY c.code",
    )
    return [c for (c,) in codes]


def _chart_frame(chart):
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()


def test_overview_counts_codes_at_no_stage_in_the_heat_map(delve_store):
    at = _app(delve_store, page="overview")
    tiles = {m.label: int(m.value) for m in at.metric}
    unstaged = _unstaged(delve_store)
    assert unstaged, "the study has codes the codebook gives no stage"
    chart = at.get("vega_lite_chart")[0]
    cells = _chart_frame(chart)
    assert cells["challenges"].sum() == tiles["Challenges"]  # the map adds up to the tile
    assert cells.loc[cells["stage"] == "(no stage)", "challenges"].sum() == len(unstaged)
    assert set(cells.loc[cells["stage"] == "(no stage)", "href"]) == {"?page=stages&stage=none"}
    assert all(h.startswith("?page=stages&stage=") for h in cells["href"])  # every cell opens its stage
    spec = json.loads(chart.proto.spec)
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert len(legend["values"]) > 2 and all(isinstance(v, int) for v in legend["values"])
    assert spec["usermeta"]["embedOptions"]["loader"]["target"] == "_self"  # a cell opens in this tab
    note = next(c.value for c in at.caption if c.value.startswith("Cells count"))
    assert f"{tiles['Challenges']} in all, as the Challenges tile" in note and f"{len(unstaged)} of them" in note
    top = _html(at)
    assert "no stage — add it to the codebook" in top and 'href="?page=stages&amp;stage=none"' in top


def test_an_uncoded_corpus_says_what_to_do_next(tmp_path):
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore

    transcript = tmp_path / "p1.txt"
    transcript.write_text("Interviewer: What was hard?\nP1: Getting the data.\n", encoding="utf-8")
    store = LadybugStore(tmp_path / "db")
    ingest(store, [transcript])
    at = _app(store, page="overview")
    message = at.info[0].value
    assert message.startswith("No coded challenges yet. The 1 interview loaded carry no codes")
    assert "Load data page" in message and "challenge-graph load PATH" in message
    assert 'href="?page=load"' in _html(at)
    store.close()


def test_stages_page_opens_on_the_busiest_stage_and_lists_the_unstaged(delve_store):
    at = _app(delve_store, page="stages")
    busiest = _rows(
        delve_store,
        "MATCH (c)-[:AT_STAGE]->(s:Stage) RETURN s.name, count(c) AS n, s.position ORDER BY n DESC, s.position LIMIT 1",
    )[0][0]
    assert at.selectbox(key="stage").value == busiest
    assert not [i for i in at.info if i.value.startswith("No challenges coded")]
    dots = [c.proto.spec for c in at.get("graphviz_chart")]
    stages = [s for (s,) in _rows(delve_store, "MATCH (s:Stage) RETURN s.id")]
    assert all(f'URL="?page=stages&stage={s}" target="_self"' in "".join(dots) for s in stages)  # boxes link
    quotes = [c.value for c in at.caption if re.search(r"Interview \d+, ", c.value)]
    assert quotes and all(re.search(r"Interview \d+, p\. \d+$", q) for q in quotes)  # PDFs cite their page
    at.selectbox(key="stage").set_value("No stage").run()
    assert at.query_params["stage"] == "none"
    table = _html(at)
    from challenge_graph.dashboard.links import challenge_url

    assert all(html.escape(challenge_url(code)) in table for code in _unstaged(delve_store))  # each links


def test_challenge_detail_heading_and_summary_before_the_quotes(delve_store):
    at = _app(delve_store, page="challenge", challenge="Data-metadata-issue")
    name, stage, quotes, people = _rows(
        delve_store,
        "MATCH (c:Challenge {code: 'Data-metadata-issue'})-[:AT_STAGE]->(s:Stage) "
        "RETURN c.name, s.name, c.quotes, c.participants",
    )[0]
    assert at.header[0].value == name
    heading = at.get("html")[0].proto.body
    assert f">{stage}</a>" in heading and "category: Data quality" in heading
    assert f"{quotes} quotes from {people} participants" in heading
    order = [
        type(e).__name__ + ":" + getattr(e, "value", "")
        for e in at.main
        if type(e).__name__ in ("Markdown", "Subheader")
    ]
    assert order.index("Markdown:#### Fixes") < order.index(f"Subheader:Quotes ({quotes} from {people} participants)")
    fix = next(e for e in at.expander if e.label.startswith("Fix: metadata issue"))
    assert re.search(r"Interview \d+, p\. \d+", " ".join(c.value for c in fix.caption))  # the fix's own quotes
    cards = [c.value for c in at.caption if " · coded by " in c.value]
    assert len(cards) == quotes and all(re.search(r", p\. \d+ · coded by ", c) for c in cards)
    assert "<blockquote style='" in _html(at) and "color:#1f2933" in _html(at)  # quotes at full contrast


def test_challenge_known_only_through_its_fix_says_so(sample_store):
    at = _app(sample_store, page="challenge", challenge="QM-data-privacy-issue")
    assert at.info[0].value.startswith("Known only through its fix")
    assert not [s for s in at.subheader if s.value.startswith("Quotes (0")]
    assert any("its evidence is its fix's quotes" in c.value for c in at.caption)


def test_method_page_leads_with_the_agreement_over_all_codes(delve_store):
    at = _method_tab(_app(delve_store, page="method"), "Inter-coder agreement")
    assert at.metric[0].label == "Fleiss' κ, all codes"
    from challenge_graph.queries.agreement import agreement

    overall = next(r for r in agreement(delve_store)[0] if r.code == "(all codes)")
    assert at.metric[0].value == f"{overall.fleiss_kappa:.3f}"
    text = " ".join(m.value for m in at.markdown)
    assert "**Compared:** PO, Rached (consensus: Amin): Interview 19." in text
    assert "**Not compared** (one coder): PO: Interview 5; Rached: Interview 10." in text
    assert "Why observed agreement is high while κ is low" in text
    table = at.dataframe[0]
    shown = table.value
    kinds = {r[0]: r[1] for r in _rows(delve_store, "MATCH (c:Challenge) RETURN c.code, 'Challenge'")}
    assert set(shown["kind"]) == {"Challenge"} and set(shown["code"]) <= set(kinds)  # fixes and questions filtered out
    assert "(all codes)" not in set(shown["code"])
    values = shown.to_numpy().ravel()
    assert not [v for v in map(str, values) if v.startswith("-0.000")]
    config = json.loads(table.proto.columns)
    assert (
        config["fleiss_kappa"]["label"] == "Fleiss' κ" and config["percent_agreement"]["label"] == "Observed agreement"
    )
    at.session_state["method_pairs"] = True
    at.session_state["pairs_coder"] = "Amin (consensus)"
    at.run()
    pairs = at.dataframe[1].value
    assert len(pairs) and all("Amin (consensus)" in (a, b) for a, b in zip(pairs["coder_a"], pairs["coder_b"]))
    assert json.loads(at.dataframe[1].proto.columns)["coder_a"]["width"] == "medium"  # names not cut


def test_cooccurrence_names_the_pairs_and_leaves_out_a_challenge_with_its_own_fix(delve_store):
    at = _method_tab(_app(delve_store, page="method"), "Co-occurrence")
    chart = at.get("vega_lite_chart")[0]
    drawn = pa.ipc.open_stream(chart.proto.data.data).read_pandas()
    names = dict(_rows(delve_store, "MATCH (c:Challenge) RETURN c.code, c.name"))
    assert set(drawn["code_a"]) | set(drawn["code_b"]) <= set(names)  # challenges only, by default
    assert list(drawn["pair"]) == [f"{names[a]} + {names[b]}" for a, b in zip(drawn["code_a"], drawn["code_b"])]
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0 and "labelAngle" not in spec["encoding"]["y"]["axis"]
    caption = next(c.value for c in at.caption if "pair" in c.value)
    assert caption.startswith(f"The {len(drawn)} pair")
    at.session_state["co_kinds"] = ["Challenge", "Fix"]
    at.run()
    drawn = pa.ipc.open_stream(at.get("vega_lite_chart")[0].proto.data.data).read_pandas()
    own = {frozenset(p) for p in _rows(delve_store, "MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge) RETURN f.code, c.code")}
    assert not {frozenset(p) for p in zip(drawn["code_a"], drawn["code_b"])} & own
    at.session_state["co_own_fix"] = False
    at.run()
    drawn = pa.ipc.open_stream(at.get("vega_lite_chart")[0].proto.data.data).read_pandas()
    assert {frozenset(p) for p in zip(drawn["code_a"], drawn["code_b"])} & own  # there, when asked for


def _frame_page(at) -> str:
    return next(e.proto.srcdoc for e in at.main if type(e).__name__ == "UnknownElement" and e.type == "iframe")


def test_network_workflow_has_a_no_stage_column_and_leaves_out_empty_stages(delve_store):
    at = _app(delve_store, page="network", around="workflow")
    page = _frame_page(at)
    assert '"label": "No stage"' in page
    for code in _unstaged(delve_store):
        node = _rows(delve_store, "MATCH (c:Challenge {code: $c}) RETURN c.id", c=code)[0][0]
        assert f'"id": "Challenge:{node}"' in page  # each code at no stage is drawn, under "No stage"
    empty = _rows(
        delve_store,
        "MATCH (s:Stage) WHERE NOT EXISTS { MATCH (c)-[:AT_STAGE]->(:Stage)-[:PART_OF*0..3]->(s) } RETURN count(s)",
    )[0][0]
    assert f"{empty} stages with nothing coded left out" in at.caption[0].value
    assert "Lines:" in _html(at) and "next stage" in _html(at)  # the legend names the lines drawn


def test_every_name_in_the_network_links_to_its_page(delve_store):
    from challenge_graph.dashboard.views.network import node_links
    from challenge_graph.queries.network import neighbourhood

    graph = neighbourhood(delve_store, "stage", "data-preparation")
    links = node_links(graph)
    for node, d in graph.nodes(data=True):
        if d["kind"] == "Tool":
            continue  # a tool has no page
        assert node in links, node
    fix = next(n for n, d in graph.nodes(data=True) if d["kind"] == "Fix")
    (challenge,) = [t for t in graph.successors(fix) if graph.nodes[t]["kind"] == "Challenge"]
    assert links[fix] == f"?page=challenge&challenge={graph.nodes[challenge]['id']}"  # a fix: what it addresses
    assert links["Stage:data-preparation"] == "?page=stages&stage=data-preparation"
    person = next(n for n, d in graph.nodes(data=True) if d["kind"] == "Participant")
    assert links[person] == f"?page=network&around=participant&key={graph.nodes[person]['id']}"

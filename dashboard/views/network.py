"""Network: an interactive view of a stage's, challenge's or participant's neighbourhood, or the
whole workflow."""

from __future__ import annotations

import networkx as nx
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.export.html import frame_height, legend_html, network_html
from challenge_graph.export.web_layout import web_layout
from challenge_graph.graph.model import slugify
from challenge_graph.queries.network import limit_nodes

TITLE = "Network"
CENTRES = {"Stage": "stage", "Challenge": "challenge", "Participant": "participant", "Whole workflow": "workflow"}
NO_STAGE = "Stage:"  # the column of the codes at no stage (a stage with an empty id)


def render() -> None:
    st.title(TITLE)
    left, middle, right = st.columns([1, 2, 1])
    wanted = links.param("around")
    centres = list(CENTRES)
    first = next((i for i, c in enumerate(centres) if CENTRES[c] == wanted), 0)
    centre_label = left.selectbox("Around a", centres, index=first, key="net_centre")
    centre = CENTRES[centre_label]
    links.set_param("around", centre)
    key = None
    if centre != "workflow":
        options = data.entities(centre)
        if not options:
            st.info(f"No {centre} in the graph yet: load coded interviews on the Load data page.")
            return
        names = list(options)
        index = _default(centre, names, options)
        key = options[middle.selectbox(centre_label, names, index=index, key=f"net_{centre}")]
        links.set_param("key", key)
    limit = right.slider("Node limit", 10, 200, 80, step=10, key="net_limit")
    full, left_out = shaped(centre, key)
    if full.number_of_nodes() <= 1:
        busiest = data.busiest_stage()
        hint = f" The stage with the most codes is {busiest}: choose it above." if centre == "stage" else ""
        st.info("Nothing is coded here yet." + (hint if busiest else ""))
        return
    shown = limit_nodes(full, limit)
    layout = web_layout(shown)
    st.caption(
        f"Showing {shown.number_of_nodes()} of {full.number_of_nodes()} nodes"
        + (
            " (the node limit keeps the nodes with most evidence, each code with its stage)"
            if shown.number_of_nodes() < full.number_of_nodes()
            else ""
        )
        + (
            f" · {left_out} stage{'s' if left_out != 1 else ''} with nothing coded left out"
            " (the Workflow stages page draws them all)"
            if left_out
            else ""
        )
        + " · click a name for its page · point at a node for the evidence behind it"
        + " · drag to rearrange, scroll to zoom"
    )
    st.html(legend_html(shown, layout))
    height = frame_height(shown, layout)
    page = network_html(shown, height=f"{height}px", links=node_links(shown), legend=False, layout=layout)
    st.iframe(page, height=height + 20)  # labels and titles are escaped by network_html
    name = f"network-{centre}-{slugify(key or 'all')}"
    title = shown.graph.get("name") or key if key else "Challenges at each stage and the fixes that address them"
    # the download opens on its own, offline: its legend inside, no links into the dashboard
    st.download_button(
        "Download HTML", lambda: network_html(shown, title=title), file_name=f"{name}.html", mime="text/html"
    )
    _exports(shown, name, title=title)


def _default(centre: str, names: list[str], options: dict[str, str]) -> int:
    """The entry ``?key=`` names (label or key, any case), else the stage with the most codes or
    the challenge most reported: a view that shows something."""
    asked = links.param("key").casefold()
    for i, name in enumerate(names):
        if asked and asked in (name.casefold(), options[name].casefold()):
            return i
    if centre == "stage" and data.busiest_stage() in names:
        return names.index(data.busiest_stage())
    if centre == "challenge":
        top = data.top_challenge()
        return next((i for i, n in enumerate(names) if n.endswith(f"({top})")), 0)
    return 0


def shaped(centre: str, key: str | None) -> tuple[nx.DiGraph, int]:
    """The neighbourhood as drawn: the workflow with its codes at no stage in a column of their
    own, stages with nothing coded (but the centre) left out. Returns it and how many stages were
    left out."""
    graph = data.network(centre, key).copy()
    if centre == "workflow":
        _add_unstaged(graph)
    if centre not in ("workflow", "stage"):
        return graph, 0
    empty = _empty_stages(graph) - {graph.graph.get("centre_node")}
    graph.remove_nodes_from(empty)
    return graph, len(empty)


def _add_unstaged(graph: nx.DiGraph) -> None:
    """The challenges and practices at no stage, under a "No stage" header (as the workflow's
    query leaves them out, they would count as challenges everywhere but here)."""
    frame = data.codes()
    frame = frame[(frame["stage"] == "") & frame["kind"].isin(["Challenge", "Practice"])]
    if frame.empty:
        return
    graph.add_node(NO_STAGE, kind="Stage", id="", label="No stage", position=10**6, track="", parent="", evidence=0)
    for kind, code_id, name, quotes in zip(frame["kind"], frame["id"], frame["name"], frame["all_quotes"]):
        node = f"{kind}:{code_id}"
        if node not in graph:
            graph.add_node(node, kind=kind, id=code_id, label=name, evidence=int(quotes))
        graph.add_edge(node, NO_STAGE, relation="AT_STAGE", weight=int(quotes))
    graph.nodes[NO_STAGE]["evidence"] = len(frame)


def _empty_stages(graph: nx.DiGraph) -> set[str]:
    """Stages with no code at them nor at any of their sub-stages."""
    stages = {n for n, d in graph.nodes(data=True) if d["kind"] == "Stage"}
    full = {s for s in stages if any(graph.nodes[p]["kind"] != "Stage" for p in graph.predecessors(s))}
    changed = True
    while changed:  # a stage whose sub-stage has codes has something under it
        parents = {f"Stage:{graph.nodes[s].get('parent')}" for s in full if graph.nodes[s].get("parent")}
        changed = bool(parents & stages - full)
        full |= parents & stages
    return stages - full


def node_links(graph: nx.DiGraph) -> dict[str, str]:
    """Where a click on each node goes: a challenge to its detail, a stage to its stage page, a
    participant to the network around them, a fix to the challenge it addresses, a practice to
    its stage (all in the same tab)."""
    out = {}
    for node, d in graph.nodes(data=True):
        targets = {graph.nodes[s]["kind"]: graph.nodes[s]["id"] for s in graph.successors(node)}
        if d["kind"] == "Challenge":
            out[node] = links.challenge_url(d["id"])
        elif d["kind"] == "Stage":
            out[node] = links.stage_url(d["id"] or data.NO_STAGE_KEY)
        elif d["kind"] == "Participant":
            out[node] = links.url("network", around="participant", key=d["id"])
        elif d["kind"] == "Fix" and "Challenge" in targets:
            out[node] = links.challenge_url(targets["Challenge"])
        elif d["kind"] == "Practice" and "Stage" in targets:
            out[node] = links.stage_url(targets["Stage"] or data.NO_STAGE_KEY)
    return out


def _exports(graph, name: str, title: str) -> None:
    """The command line's exports of what is shown: images for talks, data for other tools."""
    with st.expander("Export for a talk or another tool"):
        cols = st.columns(4)
        fmt = cols[0].selectbox("Format", list(_FORMATS), key="export_format")
        layout = cols[1].selectbox("Layout", ["workflow", "force"], key="export_layout")
        size = cols[2].selectbox("Size", ["slide", "column", "page"], key="export_size")
        quotes = cols[3].toggle("With quotes", key="export_quotes")
        if st.button("Prepare export", key="export"):
            summary = data.summary()
            footer = (
                f"corpus: {summary['interviews']} interviews, {summary['participants']} participants · challenge-graph"
            )
            st.session_state["export_file"] = data.export_bytes(
                graph, _FORMATS[fmt], layout, size, title, footer, quotes
            )
            st.session_state["export_name"] = f"{name}{_FORMATS[fmt]}"
        if st.session_state.get("export_file"):
            st.download_button(
                f"Download {st.session_state['export_name']}",
                st.session_state["export_file"],
                file_name=st.session_state["export_name"],
                key="export_download",
            )


_FORMATS = {
    "PNG image": ".png",
    "SVG image": ".svg",
    "PDF": ".pdf",
    "GraphML": ".graphml",
    "GEXF": ".gexf",
    "CSV (edges)": ".csv",
}

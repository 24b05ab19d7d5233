"""Network: an interactive view of a stage's, challenge's or participant's neighbourhood."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.export.html import frame_height, legend_html, network_html
from challenge_graph.graph.model import slugify
from challenge_graph.queries.network import KIND_ORDER, limit_nodes

TITLE = "Network"
CENTRES = {"Stage": "stage", "Challenge": "challenge", "Participant": "participant", "Whole workflow": "workflow"}


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
            st.info(f"No {centre} in the graph yet.")
            return
        names = list(options)
        asked = links.param("key").casefold()
        default = next(
            (i for i, n in enumerate(names) if asked and asked in (n.casefold(), options[n].casefold())),
            names.index("Loss function") if "Loss function" in names else 0,
        )
        key = options[middle.selectbox(centre_label, names, index=default, key=f"net_{centre}")]
        links.set_param("key", key)
    limit = right.slider("Node limit", 10, 200, 80, step=10, key="net_limit")
    full = data.network(centre, key)
    if full.number_of_nodes() == 0:
        st.info("Nothing is connected to it yet.")
        return
    shown = limit_nodes(full, limit)
    st.caption(
        f"Showing {shown.number_of_nodes()} of {full.number_of_nodes()} nodes"
        + (
            " (the node limit keeps the nodes with most evidence, each code with its stage)"
            if shown.number_of_nodes() < full.number_of_nodes()
            else ""
        )
        + " · click a challenge for its detail · hover a node for the evidence behind it"
        + " · drag to rearrange, scroll to zoom"
    )
    kinds = [k for k in KIND_ORDER if any(d["kind"] == k for _, d in shown.nodes(data=True))]
    st.html(legend_html(kinds))
    challenges = {
        n: links.url("challenge", challenge=d["id"]) for n, d in shown.nodes(data=True) if d["kind"] == "Challenge"
    }
    height = frame_height(shown)
    page = network_html(shown, height=f"{height}px", links=challenges)
    st.iframe(page, height=height + 20)  # labels and titles are escaped by network_html
    name = f"network-{centre}-{slugify(key or 'all')}"
    st.download_button("Download HTML", page, file_name=f"{name}.html", mime="text/html")
    _exports(
        shown,
        name,
        title=shown.graph.get("name") or key if key else "Challenges at each stage and the fixes that address them",
    )


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

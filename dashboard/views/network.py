"""Network: an interactive view of a stage's, challenge's or participant's neighbourhood."""
from __future__ import annotations

import streamlit as st

from dashboard import data
from graph.html import legend_html, network_html
from graph.model import slugify
from queries.network import KIND_ORDER, limit_nodes

TITLE = "Network"
CENTRES = {"Stage": "stage", "Challenge": "challenge", "Participant": "participant", "Whole workflow": "workflow"}


def render() -> None:
    st.title(TITLE)
    left, middle, right = st.columns([1, 2, 1])
    centre_label = left.selectbox("Around a", list(CENTRES), key="net_centre")
    centre = CENTRES[centre_label]
    key = None
    if centre != "workflow":
        options = data.entities(centre)
        if not options:
            st.info(f"No {centre} in the graph yet.")
            return
        names = list(options)
        default = names.index("Loss function") if "Loss function" in names else 0
        key = options[middle.selectbox(centre_label, names, index=default, key=f"net_{centre}")]
    limit = right.slider("Node limit", 10, 300, 80, step=10, key="net_limit")
    full = data.network(centre, key)
    if full.number_of_nodes() == 0:
        st.info("Nothing is connected to it yet.")
        return
    shown = limit_nodes(full, limit)
    st.caption(f"Showing {shown.number_of_nodes()} of {full.number_of_nodes()} nodes"
               + (" (the node limit keeps stages and the nodes with most evidence)" if shown.number_of_nodes() < full.number_of_nodes() else "")
               + " · node size: quotes behind it (stages: codes at them) · drag to rearrange, scroll to zoom")
    kinds = [k for k in KIND_ORDER if any(d["kind"] == k for _, d in shown.nodes(data=True))]
    st.html(legend_html(kinds))
    page = network_html(shown)
    st.iframe(page, height=660)  # labels and titles are escaped by network_html
    name = f"network-{centre}-{slugify(key or 'all')}"
    st.download_button("Download HTML", page, file_name=f"{name}.html", mime="text/html")
    _exports(shown, name, title=f"{centre_label}: {key}" if key else "Challenges at each stage and the fixes that address them")


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
            footer = f"corpus: {summary['interviews']} interviews, {summary['participants']} participants · challenge-graph"
            st.session_state["export_file"] = data.export_bytes(graph, _FORMATS[fmt], layout, size, title, footer, quotes)
            st.session_state["export_name"] = f"{name}{_FORMATS[fmt]}"
        if st.session_state.get("export_file"):
            st.download_button(f"Download {st.session_state['export_name']}", st.session_state["export_file"],
                               file_name=st.session_state["export_name"], key="export_download")


_FORMATS = {"PNG image": ".png", "SVG image": ".svg", "PDF": ".pdf", "GraphML": ".graphml", "GEXF": ".gexf", "CSV (edges)": ".csv"}

"""Network: an interactive view of a stage's, challenge's or participant's neighbourhood."""
from __future__ import annotations

import streamlit as st

from dashboard import data
from graph.html import legend_html, network_html
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
    st.download_button("Download HTML", page, file_name=f"network-{centre}-{key or 'all'}.html", mime="text/html")

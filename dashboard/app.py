"""challenge-graph dashboard: ``challenge-graph dashboard`` runs ``streamlit run`` on this file."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views import (
    challenge,
    console,
    load,
    method,
    network,
    overview,
    search,
    stages,
    studies,
)
from challenge_graph.graph.errors import ChallengeGraphError

PAGES = {view.TITLE: view for view in (overview, studies, stages, challenge, search, network, method, console, load)}


def main() -> None:
    st.set_page_config(page_title="challenge-graph", layout="wide")
    links.open_page(list(PAGES))  # ?page=challenge&challenge=… opens that view
    page = st.sidebar.radio("Page", list(PAGES), key="page")
    links.keep_page(page)
    st.sidebar.caption(data.store(data.db_path()).describe())
    try:
        studies.sidebar_filter()  # after keep_page, which drops other pages' parameters
        PAGES[page].render()
    except ChallengeGraphError as e:
        data.show_error(e)


# Streamlit runs this file as the main module; a load's worker process imports the main module
# as __mp_main__ and must not draw the app (graph/workers.py)
if __name__ != "__mp_main__":
    main()

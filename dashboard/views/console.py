"""Cypher console for analysts: named queries as starting points, read-only, results as CSV."""
from __future__ import annotations

import streamlit as st

from dashboard import data
from graph.cypher import dialect_warnings
from graph.errors import ChallengeGraphError
from queries.runner import get_query, list_queries, resolve_params

TITLE = "Cypher console"
_BLANK = "(write your own)"


def render() -> None:
    st.title(TITLE)
    store = data.store(data.db_path())
    st.caption(f"Read-only · dialect: {store.dialect} · {store.describe()}")
    names = [_BLANK] + [q.name for q in list_queries()]
    name = st.selectbox("Start from a named query", names, key="console_query")
    params = {}
    text = ""
    if name != _BLANK:
        query = get_query(name)
        st.caption(query.description)
        for p in query.params:
            params[p.name] = st.text_input(f"{p.name} ({p.type})", value=p.default or "", help=p.help, key=f"param_{name}_{p.name}")
        text = query.cypher
    statement = st.text_area("Cypher", value=text, height=220, key=f"cypher_{name}")
    for warning in dialect_warnings(statement, store.dialect):
        st.warning(warning)
    if not st.button("Run", type="primary", key="run"):
        return
    try:
        values = resolve_params(store, get_query(name), params) if name != _BLANK else {}
        frame = data.cypher(statement, values)
    except ChallengeGraphError as e:
        data.show_error(e)
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(f"{len(frame)} rows")
    st.download_button("Download CSV", frame.to_csv(index=False), file_name=f"{name if name != _BLANK else 'query'}.csv", mime="text/csv")

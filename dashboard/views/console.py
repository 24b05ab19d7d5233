"""Cypher console for analysts: named queries as starting points; read clauses only, each query in
a process of its own with a timeout, a memory limit and a row cap; results as a table and CSV."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.queries.runner import get_query, list_queries, resolve_params
from challenge_graph.store.cypher import dialect_warnings
from challenge_graph.store.cypher_columns import written_columns
from challenge_graph.store.sandbox import memory_text

TITLE = "Cypher console"
_BLANK = "(write your own)"


def render() -> None:
    st.title(TITLE)
    store = data.store(data.db_path())
    limits = data.console_limits()
    max_rows = limits.max_rows
    st.caption(
        f"Read-only · dialect: {store.dialect} · {store.describe()} · queries stop after {limits.timeout:g} s "
        f"or past {memory_text(limits.memory)} of memory, and show at most {max_rows:,} rows"
    )
    names = [_BLANK] + [q.name for q in list_queries()]
    name = st.selectbox("Start from a named query", names, key="console_query")
    params = {}
    text = ""
    if name != _BLANK:
        query = get_query(name)
        st.caption(query.description)
        for p in query.params:
            params[p.name] = st.text_input(
                f"{p.name} ({p.type})", value=p.default or "", help=p.help, key=f"param_{name}_{p.name}"
            )
        text = query.cypher_for(store.dialect)
    statement = st.text_area("Cypher", value=text, height=220, key=f"cypher_{name}")
    for warning in dialect_warnings(statement, store.dialect):
        st.warning(warning)
    if not st.button("Run", type="primary", key="run"):
        return
    try:
        values = resolve_params(store, get_query(name), params) if name != _BLANK else {}
        frame, truncated = data.cypher(statement, values)
        frame.columns = written_columns(statement, list(frame.columns))  # labels(n), not the engine's rewrite
    except ChallengeGraphError as e:
        data.show_error(e)
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    if truncated:
        st.warning(
            f"showing the first {len(frame):,} rows: the console stops at {max_rows:,} (add LIMIT or narrow the query)"
        )
    else:
        st.caption(f"{len(frame)} rows")
    st.download_button(
        "Download CSV",
        data.csv_download(frame),
        file_name=f"{name if name != _BLANK else 'query'}.csv",
        mime="text/csv",
    )

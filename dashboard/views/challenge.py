"""Challenge detail: the quotes behind a challenge, its fixes, co-occurring challenges."""
from __future__ import annotations

import streamlit as st

from dashboard import data

TITLE = "Challenge detail"


def render() -> None:
    st.title(TITLE)
    challenges = data.cypher(
        "MATCH (c:Challenge) RETURN c.code AS code, c.name AS name ORDER BY name"
    )
    if challenges.empty:
        st.info("No challenges loaded yet.")
        return
    labels = {f"{n} ({c})": c for c, n in zip(challenges["code"], challenges["name"])}
    choice = st.selectbox("Challenge", list(labels), key="challenge")
    code = labels[choice]
    include_auto = st.toggle("Include automatic codings (coder auto)", value=False, key="auto")
    quotes = data.named("challenge-quotes", challenge=code)
    if not include_auto:
        quotes = quotes[quotes["coder"] != "auto"]
    st.subheader(f"Quotes ({quotes['quote'].nunique()} from {quotes['speaker'].nunique()} participants)")
    for _, q in quotes.iterrows():
        with st.container(border=True):
            st.markdown(f"> {q['quote']}")
            st.caption(f"{q['speaker']} · {q['interview']}, line {q['line']} · coded by {q['coder']}")
    left, right = st.columns(2)
    with left:
        st.subheader("Fixes")
        fixes = data.named("fixes-for-challenge", challenge=code)
        st.dataframe(fixes, hide_index=True, width="stretch") if not fixes.empty else st.caption("No fix coded.")
    with right:
        st.subheader("Co-occurring challenges")
        co = data.named("co-occurring-challenges", challenge=code)
        st.dataframe(co, hide_index=True, width="stretch") if not co.empty else st.caption("None on the same turns.")

"""Challenge detail: the quotes behind a challenge (with context), fixes, co-occurring
challenges and the tools its quotes mention."""
from __future__ import annotations

import streamlit as st

from dashboard import data

TITLE = "Challenge detail"


def render() -> None:
    st.title(TITLE)
    options = data.entities("challenge")
    if not options:
        st.info("No challenges loaded yet.")
        return
    names = list(options)
    chosen = st.session_state.get("focus_challenge")
    index = next((i for i, n in enumerate(names) if options[n] == chosen), 0)
    code = options[st.selectbox("Challenge", names, index=index, key="challenge")]
    include_auto = st.toggle("Include suggestions by the coder auto", value=False, key="auto")
    quotes = data.named("challenge-quotes", challenge=code, coders="all" if include_auto else "human")
    coders = sorted(quotes["coder"].unique())
    picked = st.multiselect("Coders", coders, default=coders, key=f"coders_{code}_{include_auto}")
    quotes = quotes[quotes["coder"].isin(picked)]
    n_quotes, n_people = quotes["excerpt"].nunique(), quotes["speaker"].nunique()
    st.subheader(f"Quotes ({n_quotes} from {n_people} participant{'' if n_people == 1 else 's'})")
    for _, q in quotes.iterrows():
        with st.container(border=True):
            st.markdown(f"> {q['quote']}")
            st.caption(f"{q['speaker']} · {q['interview']}, line {q['line']} · coded by {q['coder']}")
            with st.expander("Turns around it"):
                for _, turn in data.named("excerpt-context", excerpt=q["excerpt"], radius=2).iterrows():
                    who = turn["speaker"] or "(unlabelled)"
                    text = f"**{who}:** {turn['text']}"
                    st.markdown(f":orange-background[{text}]" if turn["focus"] else text)
    fixes, co, tools = st.columns(3)
    _table(fixes, "Fixes", data.named("fixes-for-challenge", challenge=code), "No fix coded.")
    _table(co, "Co-occurring challenges", data.named("co-occurring-challenges", challenge=code), "None on the same turns.")
    _table(tools, "Tools mentioned", data.named("challenge-tools", challenge=code), "No tool mentioned.")


def _table(column, title: str, frame, empty: str) -> None:
    with column:
        st.markdown(f"#### {title}")
        if frame.empty:
            st.caption(empty)
        else:
            st.dataframe(frame, hide_index=True, width="stretch")

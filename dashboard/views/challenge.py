"""Challenge detail: the quotes behind a challenge (one card per turn, with its coders and the
turns around it), fixes, co-occurring challenges and the tools its quotes mention."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.tables import challenge_links
from challenge_graph.graph.build import code_id

TITLE = "Challenge detail"
PER_PAGE = 25  # quote cards shown at once


def render() -> None:
    st.title(TITLE)
    options = data.entities("challenge")
    if not options:
        st.info("No challenges loaded yet.")
        return
    names = list(options)
    index = _index(names, options, links.param("challenge"))
    code = options[st.selectbox("Challenge", names, index=index, key="challenge")]
    links.set_param("challenge", code)  # the address bar names the challenge shown: bookmarkable
    include_auto = st.toggle("Include suggestions by the coder auto", value=False, key="auto")
    quotes = data.named("challenge-quotes", challenge=code, coders="all" if include_auto else "human")
    coders = sorted(quotes["coder"].unique())
    picked = st.multiselect("Coders", coders, default=coders, key=f"coders_{code}_{include_auto}")
    turns = by_turn(quotes[quotes["coder"].isin(picked)])
    n_people = turns["speaker"].nunique()
    st.subheader(f"Quotes ({len(turns)} from {n_people} participant{'' if n_people == 1 else 's'})")
    pages = max(1, -(-len(turns) // PER_PAGE))
    if pages > 1:
        page = st.number_input(f"Page (of {pages}, {PER_PAGE} quotes each)", 1, pages, 1, key=f"quote_page_{code}")
        turns = turns.iloc[(page - 1) * PER_PAGE : page * PER_PAGE]
    for _, q in turns.iterrows():
        with st.container(border=True):
            st.markdown(f"> {q['quote']}")
            st.caption(f"{q['speaker']} · {q['interview']}, line {q['line']} · coded by {q['coders']}")
            with st.expander("Turns around it"):
                for _, turn in data.named("excerpt-context", excerpt=q["excerpt"], radius=2).iterrows():
                    who = turn["speaker"] or "(unlabelled)"
                    text = f"**{who}:** {turn['text']}"
                    st.markdown(f":orange-background[{text}]" if turn["focus"] else text)
    fixes, co, tools = st.columns(3)
    _table(fixes, "Fixes", data.named("fixes-for-challenge", challenge=code), "No fix coded.")
    _table(
        co,
        "Co-occurring challenges",
        data.named("co-occurring-challenges", challenge=code),
        "No other challenge on the same turns.",
        linked=True,
    )
    _table(tools, "Tools mentioned", data.named("challenge-tools", challenge=code), "No tool mentioned.")


def by_turn(quotes: pd.DataFrame) -> pd.DataFrame:
    """One row per quoted turn (``challenge-quotes`` has one per coder of a turn), its coders joined."""
    if quotes.empty:
        return quotes.assign(coders=pd.Series(dtype=str))
    coders = quotes.groupby("excerpt", sort=False)["coder"].agg(lambda c: ", ".join(dict.fromkeys(c)))
    return (
        quotes.drop_duplicates("excerpt")
        .drop(columns="coder")
        .merge(coders.rename("coders"), left_on="excerpt", right_index=True)
    )


def _index(names: list[str], options: dict[str, str], wanted: str) -> int:
    """Where the challenge named by ``?challenge=`` (code, name or label, any case) stands."""
    wanted = wanted.casefold()
    for i, label in enumerate(names):
        if wanted and wanted in (
            options[label].casefold(),
            code_id(options[label]),
            label.casefold(),
            label.rsplit(" (", 1)[0].casefold(),
        ):
            return i
    return 0


def _table(column, title: str, frame, empty: str, linked: bool = False) -> None:
    with column:
        st.markdown(f"#### {title}")
        if frame.empty:
            st.caption(empty)
        elif linked:
            linked, config = challenge_links(frame)
            st.dataframe(linked, column_config=config, hide_index=True, width="stretch")
        else:
            st.dataframe(frame, hide_index=True, width="stretch")

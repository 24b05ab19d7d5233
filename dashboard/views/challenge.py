"""Challenge detail: the quotes behind a challenge, a page of 50 at a time (one card per turn,
with its coders and the turns around it), fixes, co-occurring challenges and the tools its
quotes mention."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.search import more_like_button
from challenge_graph.dashboard.views.tables import challenge_links
from challenge_graph.graph.graph_data import code_id
from challenge_graph.queries.runner import PAGE_SIZE

TITLE = "Challenge detail"


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
    include_auto = st.toggle("Include machine suggestions (coders auto and auto-semantic)", value=False, key="auto")
    _quotes(code, "all" if include_auto else "human")
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


def _quotes(code: str, coders: str) -> None:
    """One page of the challenge's quotes (challenge-quotes pages them: one card per turn naming
    its coders), each with the turns around it (one query for the whole page)."""
    key = f"quote_page_{code}_{coders}"
    page = int(st.session_state.get(key, 1))
    quotes = data.named("challenge-quotes", challenge=code, coders=coders, page=page)
    if quotes.empty and page > 1:  # a page a new graph no longer has: back to the first
        page = st.session_state[key] = 1
        quotes = data.named("challenge-quotes", challenge=code, coders=coders, page=page)
    total, people = (int(quotes["total"].iloc[0]), int(quotes["participants"].iloc[0])) if len(quotes) else (0, 0)
    st.subheader(f"Quotes ({total} from {people} participant{'' if people == 1 else 's'})")
    pages = max(1, -(-total // PAGE_SIZE))
    if pages > 1:
        st.number_input(f"Page (of {pages}, {PAGE_SIZE} quotes each)", min_value=1, max_value=pages, key=key)
    context = data.named("challenge-quote-context", challenge=code, coders=coders, page=page)
    around = {quote: turns for quote, turns in context.groupby("quote", sort=False)} if len(context) else {}
    for _, q in quotes.iterrows():
        with st.container(border=True):
            st.markdown(f"> {q['quote']}")
            st.caption(f"{q['speaker']} · {q['interview']}, line {q['line']} · coded by {', '.join(q['coders'])}")
            more_like_button(q["excerpt"])  # semantic search: the nearest quotes across interviews
            with st.expander("Turns around it"):
                for _, turn in around.get(q["excerpt"], context.iloc[0:0]).iterrows():
                    who = turn["speaker"] or "(unlabelled)"
                    text = f"**{who}:** {turn['text']}"
                    st.markdown(f":orange-background[{text}]" if turn["focus"] else text)


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

"""Challenge detail: a heading (name, stage, category, description, counts), a summary (the
fixes that address it, the challenges coded on the same turns, the tools its quotes mention),
then the quotes behind it, a page of 50 at a time (one card per turn, with its coders and the
turns around it)."""

from __future__ import annotations

import html

import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.search import more_like_button
from challenge_graph.dashboard.views.tables import quote_card, where
from challenge_graph.graph.graph_data import code_id
from challenge_graph.queries.runner import PAGE_SIZE

TITLE = "Challenge detail"


def render() -> None:
    st.title(TITLE)
    options = data.entities("challenge")
    if not options:
        st.info("No challenges loaded yet: load coded interviews on the Load data page.")
        st.html(links.link("Open the Load data page", links.url("load")))
        return
    names = list(options)
    index = _index(names, options, links.param("challenge") or data.top_challenge())
    code = options[st.selectbox("Challenge", names, index=index, key="challenge")]
    links.set_param("challenge", code)  # the address bar names the challenge shown: bookmarkable
    info = _info(code)
    fixes = data.named("fixes-for-challenge", challenge=code)
    _heading(code, info, fixes)
    _summary(code, fixes)
    include_auto = st.toggle("Include machine suggestions (coders auto and auto-semantic)", value=False, key="auto")
    _quotes(code, "all" if include_auto else "human", info, fixes)


def _info(code: str) -> dict:
    frame = data.codes()
    rows = frame[(frame["code"] == code) & (frame["kind"] == "Challenge")]
    return rows.iloc[0].to_dict() if len(rows) else {"name": code, "code": code, "stage": "", "stage_id": ""}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _heading(code: str, info: dict, fixes) -> None:
    """The challenge's name, where it stands (stage, category, code), what it means, how much
    evidence is behind it, and codes it may duplicate."""
    st.header(info["name"], anchor=False)
    stage = (
        links.link(info["stage"], links.stage_url(info["stage_id"]))
        if info.get("stage")
        else f"no stage — {links.link('see the others', links.stage_url(data.NO_STAGE_KEY))}; add it to the codebook"
    )
    parts = [f"stage: {stage}"]
    if info.get("category"):
        parts.append(f"category: {html.escape(info['category'])}")
    parts.append(f"code: <code>{html.escape(code)}</code>")
    if info.get("known") is False:
        parts.append("not in the codebook (loaded as a challenge from its code)")
    evidence = (
        f"{_count(int(info.get('quotes', 0)), 'quote')} from {_count(int(info.get('participants', 0)), 'participant')}"
        f" in {_count(int(info.get('interviews', 0)), 'interview')}"
    )
    body = f"<div style='font-size:15px;color:#31333f'>{' · '.join(parts)}</div>"
    if info.get("description"):
        body += f"<p style='font-size:16px;margin:.4em 0 .2em'>{html.escape(info['description'])}</p>"
    body += f"<div style='font-size:15px;margin-top:.3em'><b>Evidence:</b> {evidence} (human coders).</div>"
    same = data.duplicates(code)
    if same:
        names = dict(zip(data.codes()["code"], data.codes()["name"]))
        body += "<div style='font-size:15px;margin-top:.3em'><b>May be the same as:</b> " + "; ".join(
            f"{links.challenge_link(names.get(other, other), other)} ({html.escape(why)})" for _, other, why in same
        )
        body += "</div>"
    st.html(body)
    if info.get("implied"):
        st.info(
            "Known only through its fix: no participant turn is coded with this challenge itself; a fix "
            f"({', '.join(fixes['fix']) or 'coded elsewhere'}) names it, so the fix's quotes are its evidence."
        )


def _summary(code: str, fixes) -> None:
    """The fixes (each with its first quotes), the challenges coded on the same turns and the
    tools mentioned, before the quotes: lists that wrap, never a cut name or number."""
    co = data.named("co-occurring-challenges", challenge=code)
    tools = data.named("challenge-tools", challenge=code)
    left, middle, right = st.columns(3)
    with left:
        st.markdown("#### Fixes")
        if fixes.empty:
            st.caption("No fix coded.")
        for _, fix in fixes.iterrows():
            quotes = data.code_quotes(fix["code"])
            counts = f"{_count(int(fix['quotes']), 'quote')}, {_count(int(fix['participants']), 'participant')}"
            with st.expander(f"{fix['fix']} · {counts}"):
                for _, q in quotes.iterrows():
                    quote_card(q["quote"], f"{q['speaker']} · {where(q)}")
                if quotes.empty:
                    st.caption("No participant turn is coded with this fix.")
    with middle:
        st.markdown("#### Coded on the same turns")
        if co.empty:
            st.caption("No other challenge on the same turns.")
        else:
            st.html(
                _list(
                    f"{links.challenge_link(r['challenge'], r['code'])} · {_count(int(r['excerpts']), 'turn')}"
                    for _, r in co.iterrows()
                )
            )
    with right:
        st.markdown("#### Tools mentioned")
        if tools.empty:
            st.caption("No tool mentioned.")
        else:
            st.html(
                _list(
                    f"{html.escape(str(r['tool']))} · {_count(int(r['quotes']), 'quote')}" for _, r in tools.iterrows()
                )
            )


def _list(items) -> str:
    return "<ul style='margin:0;padding-left:1.2em;font-size:15px'>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _quotes(code: str, coders: str, info: dict, fixes) -> None:
    """One page of the challenge's quotes (challenge-quotes pages them: one card per turn naming
    its coders), each with the turns around it (one query for the whole page)."""
    key = f"quote_page_{code}_{coders}"
    page = int(st.session_state.get(key, 1))
    quotes = data.named("challenge-quotes", challenge=code, coders=coders, page=page)
    if quotes.empty and page > 1:  # a page a new graph no longer has: back to the first
        page = st.session_state[key] = 1
        quotes = data.named("challenge-quotes", challenge=code, coders=coders, page=page)
    total, people = (int(quotes["total"].iloc[0]), int(quotes["participants"].iloc[0])) if len(quotes) else (0, 0)
    if not total:
        st.subheader("Quotes")
        if info.get("implied") or not fixes.empty and not info.get("quotes"):
            st.caption("No participant turn is coded with this challenge: its evidence is its fix's quotes, above.")
        elif coders == "human" and info.get("all_quotes"):
            st.caption("Only machine suggestions code it: switch on “Include machine suggestions” to read them.")
        else:
            st.caption("No participant turn is coded with this challenge.")
        return
    st.subheader(f"Quotes ({total} from {people} participant{'' if people == 1 else 's'})")
    pages = max(1, -(-total // PAGE_SIZE))
    if pages > 1:
        st.number_input(f"Page (of {pages}, {PAGE_SIZE} quotes each)", min_value=1, max_value=pages, key=key)
    context = data.named("challenge-quote-context", challenge=code, coders=coders, page=page)
    around = {quote: turns for quote, turns in context.groupby("quote", sort=False)} if len(context) else {}
    for _, q in quotes.iterrows():
        with st.container(border=True):
            quote_card(q["quote"], f"{q['speaker']} · {where(q)} · coded by {', '.join(q['coders'])}")
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

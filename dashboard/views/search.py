"""Search by meaning: participant quotes nearest to a text, or to a quote ("more like this"),
across interviews (the optional extra ``semantic``)."""

from __future__ import annotations

import streamlit as st

from challenge_graph.dashboard import data, links, semantic_data
from challenge_graph.dashboard.views.tables import quote_card, where
from challenge_graph.semantic import available
from challenge_graph.semantic.encoder import INSTALL_HINT

TITLE = "Search by meaning"
LIKE = "search_like"  # session key: the excerpt whose neighbours are shown


def render() -> None:
    st.title(TITLE)
    if not available():
        st.info(f"Semantic search needs the optional extra: `{INSTALL_HINT}`")
        return
    if not semantic_data.has_vectors():
        st.info("This graph has no excerpt vectors yet: load it with `challenge-graph load PATH... --semantic`.")
        return
    text = st.text_input("Quotes that say something like", key="search_text", placeholder="the labels were noisy")
    stages = data.entities("stage")
    left, middle, right = st.columns([2, 2, 1])
    stage_label = left.selectbox("Only codes at stage", ["(any stage)", *stages], key="search_stage")
    code = middle.text_input("Only quotes coded", key="search_code", placeholder="code, e.g. QM-robustness").strip()
    limit = int(right.number_input("Quotes", min_value=1, max_value=100, value=10, key="search_limit"))
    stage = stages.get(stage_label)
    like = st.session_state.get(LIKE, "")
    if text.strip():
        hits = semantic_data.search(text, code or None, stage, limit)
    elif like:
        shown = semantic_data.quote(like)
        if shown:
            st.markdown("Quotes like this one:")
            quote_card(shown["quote"], f"{shown['speaker']} · {where(shown)}")
        hits = semantic_data.more_like(like, code or None, stage, limit)
    else:
        st.caption("Type a sentence, or open “More like this” on a quote card. Nothing leaves this machine.")
        return
    if hits.empty:
        st.info("No quote matches the filters.")
        return
    st.subheader(f"{len(hits)} nearest quote{'' if len(hits) == 1 else 's'}")
    targets = code_links()
    for _, hit in hits.iterrows():
        with st.container(border=True):
            quote_card(hit["quote"], f"{hit['speaker']} · {where(hit)} · similarity {hit['score']:.2f}")
            codes = [c.strip() for c in hit["codes"].split(",") if c.strip()]
            st.html(
                "<div style='font-size:14px;color:#31333f'>"
                + (
                    "Coded: " + ", ".join(links.link(c, targets[c]) if c in targets else c for c in codes)
                    if codes
                    else "Not coded"
                )
                + "</div>"
            )
            more_like_button(hit["excerpt"], key_prefix="search")


def code_links() -> dict[str, str]:
    """Where each code of a search hit links: a challenge to its detail, a fix to the challenge it
    addresses (same tab)."""
    out = {}
    for kind, code in zip(data.codes()["kind"], data.codes()["code"]):
        if kind == "Challenge":
            out[code] = links.challenge_url(code)
    for fix, challenge in data.addresses():
        out.setdefault(fix, links.challenge_url(challenge))
    return out


def more_like_button(excerpt: str, key_prefix: str = "") -> None:
    """A "More like this" button for a quote card: opens this page on the quote's neighbours."""
    if available() and semantic_data.has_vectors():
        st.button("More like this", key=f"{key_prefix}like_{excerpt}", on_click=_open, args=(excerpt,))


def _open(excerpt: str) -> None:
    st.session_state[LIKE] = excerpt
    st.session_state["search_text"] = ""
    st.session_state["page"] = TITLE

"""Overview: the corpus at a glance and the stage-by-category heat map."""

from __future__ import annotations

import html
import re

import streamlit as st

from challenge_graph.dashboard import data
from challenge_graph.dashboard.views.tables import NO_STAGE, challenge_links, heat_map

TITLE = "Overview"


def render() -> None:
    st.title("Challenges in ML engineering")
    summary = data.summary()
    st.caption(f"Store: {data.store(data.db_path()).describe()}")
    cols = st.columns(4)
    for col, (label, key) in zip(
        cols * 2,
        [
            ("Interviews", "interviews"),
            ("Participants", "participants"),
            ("Coders", "coders"),
            ("Excerpts", "excerpts"),
            ("Challenges", "challenges"),
            ("Fixes", "fixes"),
            ("Practices", "practices"),
            ("Tools", "tools"),
        ],
    ):
        col.metric(label, int(summary[key]))
    st.subheader("Challenges by stage and category")
    matrix = data.named("stage-category-matrix")
    if matrix.empty:
        st.info("No coded challenges yet.")
    else:
        order = list(dict.fromkeys(matrix.sort_values("position")["stage"]))
        chart = heat_map(
            matrix,
            x="category",
            y="stage",
            value="challenges",
            y_order=order,
            tooltip=["stage", "category", "challenges", "quotes"],
        )
        st.altair_chart(chart, width="stretch")
        st.caption("Cells count distinct challenges coded at the stage; hover for the quotes behind them.")
    st.subheader("Top challenges")
    top = data.named("top-challenges", limit=10)
    top["stage"] = top["stage"].fillna(NO_STAGE).replace("", NO_STAGE)
    linked, config = challenge_links(top)
    st.dataframe(linked, column_config=config, hide_index=True, width="stretch")
    questions = data.named("protocol-questions")
    for protocol, rows in questions.groupby("protocol", sort=False):
        with st.expander(f"Interview protocol: {protocol} ({len(rows)} questions)"):
            for section, qs in rows.groupby("section", sort=False):
                st.markdown(f"**{section}**")
                st.html(
                    "".join(
                        f"<div style='margin:0 0 .2em {1.6 * d:.1f}em'><b>{html.escape(str(n))}{'.' if n else ''}</b> "
                        f"{protocol_html(q)}</div>"
                        for d, n, q in zip(qs["depth"], qs["number"], qs["question"])
                    )
                )


def protocol_html(text: str) -> str:
    """A protocol question as HTML: ``**bold**`` and ``*italic*`` kept, stray asterisks (the
    protocol's marks for follow-up questions) dropped, everything else escaped.

    >>> protocol_html("*Did it **work**? (*If* asked.)")
    'Did it <b>work</b>? (<i>If</i> asked.)'
    """
    parts = re.split(r"(\*\*[^*]+\*\*|\*[^*\s][^*]*?\*(?=[\s.,;:?!)]|$))", text)
    out = []
    for part in parts:
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            out.append(f"<b>{html.escape(part[2:-2])}</b>")
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            out.append(f"<i>{html.escape(part[1:-1])}</i>")
        else:
            out.append(html.escape(part.replace("*", "")))
    return "".join(out)

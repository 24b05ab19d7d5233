"""Overview: the corpus at a glance and the stage-by-category heat map."""
from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import data

TITLE = "Overview"


def render() -> None:
    st.title("Challenges in ML engineering")
    summary = data.summary()
    st.caption(f"Store: {data.store(data.db_path()).describe()}")
    cols = st.columns(4)
    for col, (label, key) in zip(cols * 2, [
        ("Interviews", "interviews"), ("Participants", "participants"), ("Coders", "coders"),
        ("Excerpts", "excerpts"), ("Challenges", "challenges"), ("Fixes", "fixes"),
        ("Practices", "practices"), ("Tools", "tools"),
    ]):
        col.metric(label, int(summary[key]))
    st.subheader("Challenges by stage and category")
    matrix = data.named("stage-category-matrix")
    if matrix.empty:
        st.info("No coded challenges yet.")
        return
    order = list(dict.fromkeys(matrix.sort_values("position")["stage"]))
    chart = (
        alt.Chart(matrix)
        .mark_rect(cornerRadius=3)
        .encode(
            x=alt.X("category:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("stage:N", sort=order, title=None),
            color=alt.Color("challenges:Q", scale=alt.Scale(scheme="oranges"), title="challenges"),
            tooltip=["stage", "category", "challenges", "quotes"],
        )
        .properties(height=max(160, 28 * len(order)))
    )
    labels = chart.mark_text(fontSize=12).encode(text="challenges:Q", color=alt.value("black"))
    st.altair_chart(chart + labels, width="stretch")
    st.caption("Cells count distinct challenges coded at the stage; hover for the quotes behind them.")
    st.subheader("Top challenges")
    st.dataframe(data.named("top-challenges", limit=10), hide_index=True, width="stretch")
    questions = data.named("protocol-questions")
    for protocol, rows in questions.groupby("protocol", sort=False):
        with st.expander(f"Interview protocol: {protocol} ({len(rows)} questions)"):
            for section, qs in rows.groupby("section", sort=False):
                st.markdown(f"**{section}**")
                st.markdown("\n".join(
                    f"{'    ' * d}- {n + '. ' if n else ''}{q}"
                    for d, n, q in zip(qs["depth"], qs["number"], qs["question"])
                ))

"""Workflow stages: the workflow in order; a stage's challenges and the fixes for each."""
from __future__ import annotations

import streamlit as st

from dashboard import data

TITLE = "Workflow stages"


def render() -> None:
    st.title(TITLE)
    stages = data.named("stage-overview")
    for track, rows in stages.groupby("track", sort=False):
        top = rows[rows["parent"] == ""]
        parts = []
        for _, stage in top.iterrows():
            subs = rows[rows["parent"] == stage["id"]]
            label = f"**{stage['stage']}** ({stage['challenges']})"
            if not subs.empty:
                label += " [" + ", ".join(f"{s} ({c})" for s, c in zip(subs["stage"], subs["challenges"])) + "]"
            parts.append(label)
        st.markdown(f"*{track}*: " + " → ".join(parts))
    st.caption("Numbers in brackets: challenges coded at the stage.")
    names = list(stages["stage"])
    default = names.index("Loss function") if "Loss function" in names else 0
    choice = st.selectbox("Stage", names, index=default, key="stage")
    rows = data.named("challenges-at-stage", stage=choice)
    if rows.empty:
        st.info(f"No challenges coded at {choice} (or its sub-stages).")
        return
    st.dataframe(rows, hide_index=True, width="stretch")
    for _, row in rows.iterrows():
        fixes = data.named("fixes-for-challenge", challenge=row["code"])
        if not fixes.empty:
            st.markdown(f"**{row['challenge']}** is addressed by: " + "; ".join(
                f"{f} ({q} quotes)" for f, q in zip(fixes["fix"], fixes["quotes"])
            ))


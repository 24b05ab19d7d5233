"""Workflow stages: the workflow drawn in order; a stage's challenges, quotes and fixes."""

from __future__ import annotations

import textwrap

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.tables import challenge_links
from challenge_graph.export.visual import KIND_COLOURS

TITLE = "Workflow stages"


def render() -> None:
    st.title(TITLE)
    stages = data.named("stage-overview")
    names = list(stages["stage"])
    wanted = links.param("stage").casefold()
    chosen = [i for i, (n, k) in enumerate(zip(names, stages["id"])) if wanted in (n.casefold(), k.casefold())]
    default = chosen[0] if chosen else names.index("Loss function") if "Loss function" in names else 0
    choice = st.selectbox("Stage", names, index=default, key="stage")
    links.set_param("stage", stages["id"].iloc[names.index(choice)])
    for track in dict.fromkeys(stages["track"]):
        st.markdown(f"**{track.capitalize()}**")
        st.graphviz_chart(workflow_dot(stages, choice, track), width="content")
    st.caption(
        "Stages in workflow order; sub-stages stand above their stage (dotted); "
        "in brackets, the challenges coded there."
    )
    rows = data.named("challenges-at-stage", stage=choice)
    if rows.empty:
        st.info(f"No challenges coded at {choice} or its sub-stages.")
        return
    st.subheader(f"Challenges at {choice}")
    linked, config = challenge_links(rows)
    st.dataframe(linked, column_config=config, hide_index=True, width="stretch")
    st.caption("Click a challenge for its detail page.")
    for _, row in rows.iterrows():
        fixes = data.named("fixes-for-challenge", challenge=row["code"])
        quotes = data.named("challenge-quotes", challenge=row["code"])
        label = f"{row['challenge']} · {_count(row['participants'], 'participant')} · {_count(row['quotes'], 'quote')}"
        with st.expander(label, expanded=len(rows) <= 3):
            if not fixes.empty:
                st.markdown(
                    "**Addressed by:** " + "; ".join(f"{f} ({q} quotes)" for f, q in zip(fixes["fix"], fixes["quotes"]))
                )
            total = int(quotes["total"].iloc[0]) if len(quotes) else 0  # the first page holds the total
            for _, q in quotes.head(3).iterrows():
                st.markdown(f"> {q['quote']}")
                st.caption(f"{q['speaker']} · {q['interview']}, line {q['line']}")
            more = f"all {_count(total, 'quote')}" if total > 3 else "its detail"
            st.html(f"{links.challenge_link(row['challenge'], row['code'])}: {more} on the Challenge detail page")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def workflow_dot(stages: pd.DataFrame, selected: str, track: str) -> str:
    """Graphviz DOT of one track of the workflow, left to right; sub-stages stand in a column
    under their stage. Each box gives the number of challenges coded there."""
    lines = [
        "digraph workflow {",
        "rankdir=LR; nodesep=0.15; ranksep=0.3; newrank=true;",
        'node [shape=box style="rounded,filled" fontname="Helvetica" fontsize=11 color="#0072B2" margin="0.12,0.06"];',
        'edge [color="#7f8c8d" arrowsize=0.7];',
    ]

    def node(row) -> str:
        selected_here = row["stage"] == selected
        fill = KIND_COLOURS["Challenge"] if selected_here else ("#dbe9f6" if row["challenges"] else "#f4f6f8")
        font = "white" if selected_here else "black"
        name = "\\n".join(textwrap.wrap(row["stage"], 14, break_long_words=False))
        return f'"{row["id"]}" [label="{name}\\n({row["challenges"]})" fillcolor="{fill}" fontcolor="{font}"];'

    rows = stages[stages["track"] == track]
    previous = None
    for _, stage in rows[rows["parent"] == ""].iterrows():
        subs = rows[rows["parent"] == stage["id"]]
        lines.append(node(stage))
        if not subs.empty:
            lines.append(f'subgraph "cluster_{stage["id"]}" {{ style="rounded,dashed"; color="#9aa0a6"; label="";')
            lines.append(f'{{ rank=same; "{stage["id"]}"; ' + " ".join(f'"{i}";' for i in subs["id"]) + " }")
            lines.extend(node(sub) for _, sub in subs.iterrows())
            chain = [stage["id"], *subs["id"]]
            lines.extend(f'"{a}" -> "{b}" [style=dotted arrowhead=none];' for a, b in zip(chain, chain[1:]))
            lines.append("}")
        if previous is not None:
            lines.append(f'"{previous}" -> "{stage["id"]}";')
        previous = stage["id"]
    lines.append("}")
    return "\n".join(lines)

"""Workflow stages: the workflow drawn in order; a stage's challenges, quotes and fixes."""

from __future__ import annotations

import textwrap

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.tables import NO_STAGE, link_table, quote_card, where
from challenge_graph.export.visual import KIND_COLOURS

TITLE = "Workflow stages"
NO_STAGE_NAME = "No stage"  # the choice listing the challenges at no stage


def render() -> None:
    st.title(TITLE)
    stages = data.named("stage-overview")
    unstaged = data.unstaged()
    names = list(stages["stage"]) + ([NO_STAGE_NAME] if len(unstaged) else [])
    ids = list(stages["id"]) + ([data.NO_STAGE_KEY] if len(unstaged) else [])
    if not names:
        st.info("No workflow stages loaded: load a codebook with stages (the bundled one has them).")
        return
    wanted = links.param("stage").casefold()
    chosen = [i for i, (n, k) in enumerate(zip(names, ids)) if wanted in (n.casefold(), k.casefold())]
    busiest = data.busiest_stage()
    default = chosen[0] if chosen else names.index(busiest) if busiest in names else 0
    choice = st.selectbox("Stage", names, index=default, key="stage")
    links.set_param("stage", ids[names.index(choice)])
    for track in dict.fromkeys(stages["track"]):
        st.markdown(f"**{track.capitalize()}**")
        st.graphviz_chart(workflow_dot(stages, choice, track), width="content")
    st.caption(
        "Stages in workflow order; sub-stages stand above their stage (dotted); "
        "in brackets, the challenges coded there; click a stage to open it."
    )
    if len(unstaged):
        st.html(
            f"<div style='font-size:15px'>{len(unstaged)} challenge{'s have' if len(unstaged) != 1 else ' has'} "
            f"no stage (unknown codes, or codes the codebook gives no stage): "
            f"{links.link('list them', links.stage_url(data.NO_STAGE_KEY))}.</div>"
        )
    if choice == NO_STAGE_NAME:
        rows = unstaged.rename(columns={"name": "challenge"}).assign(stage=NO_STAGE)
    else:
        rows = data.named("challenges-at-stage", stage=choice)
    if rows.empty:
        hint = f" The stage with the most codes is {busiest}." if busiest and busiest != choice else ""
        st.info(f"No challenges coded at {choice} or its sub-stages.{hint}")
        return
    st.subheader(f"Challenges at {choice}" if choice != NO_STAGE_NAME else "Challenges at no stage")
    columns = {"challenge": "Challenge", "stage": "Stage", "participants": "Participants"}
    stage_ids = dict(zip(stages["stage"], stages["id"]))
    st.html(
        link_table(
            rows,
            columns | {"interviews": "Interviews", "quotes": "Quotes"},
            {
                "challenge": lambda row: links.challenge_url(row["code"]),
                "stage": lambda row: links.stage_url(stage_ids.get(row["stage"], data.NO_STAGE_KEY)),
            },
        )
    )
    for _, row in rows.iterrows():
        _challenge(row, expanded=len(rows) <= 3)


def _challenge(row, expanded: bool) -> None:
    """A challenge's fixes and first three quotes, in an expander named with its counts."""
    fixes = data.named("fixes-for-challenge", challenge=row["code"])
    quotes = data.named("challenge-quotes", challenge=row["code"])
    label = f"{row['challenge']} · {_count(row['participants'], 'participant')} · {_count(row['quotes'], 'quote')}"
    with st.expander(label, expanded=expanded):
        if not fixes.empty:
            st.html(
                "<div style='font-size:15px'><b>Addressed by:</b> "
                + "; ".join(
                    f"{links.link(f, links.challenge_url(row['code']) + '#fixes')} ({_count(q, 'quote')})"
                    for f, q in zip(fixes["fix"], fixes["quotes"])
                )
                + "</div>"
            )
        total = int(quotes["total"].iloc[0]) if len(quotes) else 0  # the first page holds the total
        for _, q in quotes.head(3).iterrows():
            quote_card(q["quote"], f"{q['speaker']} · {where(q)}")
        more = f"all {_count(total, 'quote')}" if total > 3 else "its detail"
        st.html(f"{links.challenge_link(row['challenge'], row['code'])}: {more} on the Challenge detail page")


def _dot(text: str) -> str:
    """``text`` inside a DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


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
        address = links.stage_url(row["id"])
        return (
            f'"{row["id"]}" [label="{name}\\n({row["challenges"]})" fillcolor="{fill}" fontcolor="{font}" '
            f'URL="{address}" target="_self" tooltip="{_dot(row["stage"])}: {row["challenges"]} challenges"];'
        )

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

"""Overview: the corpus at a glance and the stage-by-category heat map."""

from __future__ import annotations

import html
import re

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.tables import NO_STAGE, heat_map, link_table

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
        col.metric(label, int(summary.get(key, 0)))
    if not int(summary.get("challenges", 0)):
        _uncoded(summary)
        return
    unstaged = data.unstaged()
    st.subheader("Challenges by stage and category")
    _heat_map(unstaged, int(summary["challenges"]))
    st.subheader("Top challenges")
    top = data.named("top-challenges", limit=10)
    top["stage"] = top["stage"].fillna("").replace("", NO_STAGE)
    stage_ids = dict(zip(data.named("stage-overview")["stage"], data.named("stage-overview")["id"]))
    columns = {"challenge": "Challenge", "stage": "Stage", "participants": "Participants", "quotes": "Quotes"}
    st.html(
        link_table(
            top,
            columns | {"interviews": "Interviews"},
            {
                "challenge": lambda row: links.challenge_url(row["code"]),
                "stage": lambda row: links.stage_url(stage_ids.get(row["stage"], data.NO_STAGE_KEY)),
            },
        )
    )
    _duplicates()
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


def _heat_map(unstaged, tile: int) -> None:
    """The stage-by-category map with a row for the challenges at no stage, so that its cells
    add up to the Challenges tile; each cell opens its stage's page."""
    matrix = data.named("stage-category-matrix")
    stages = data.named("stage-overview")
    ids = {(s, study): i for s, study, i in zip(stages["stage"], stages["study"], stages["id"])}
    several = stages["study"].nunique() > 1  # two studies' stages may share a name: say whose
    matrix = matrix.assign(
        href=[links.stage_url(ids.get((s, study), "")) for s, study in zip(matrix["stage"], matrix["study"])],
        stage=[f"{s} ({study})" if several else s for s, study in zip(matrix["stage"], matrix["study"])],
    )
    order = list(dict.fromkeys(matrix.sort_values(["study", "position"])["stage"]))
    if len(unstaged):
        none = (
            unstaged.assign(category=unstaged["category"].replace("", "Uncategorised"))
            .groupby("category", as_index=False)
            .agg(challenges=("code", "count"), quotes=("all_quotes", "sum"))
            .assign(stage="(no stage)", position=10**6, href=links.stage_url(data.NO_STAGE_KEY), study="")
        )
        matrix = pd.concat([matrix, none[matrix.columns]], ignore_index=True)
        order.append("(no stage)")
    chart = heat_map(
        matrix,
        x="category",
        y="stage",
        value="challenges",
        y_order=order,
        tooltip=["stage", "category", "challenges", "quotes"],
        href="href",
    )
    st.altair_chart(chart, width="stretch")
    staged = int(matrix.loc[matrix["stage"] != "(no stage)", "challenges"].sum())
    note = (
        f" {len(unstaged)} of them have no stage (the bottom row): unknown codes, or codes whose stage the "
        "codebook does not give — add them to the codebook to place them in the workflow."
        if len(unstaged)
        else ""
    )
    same = ", as the Challenges tile" if staged + len(unstaged) == tile else ""
    st.caption(
        f"Cells count distinct challenges: {staged + len(unstaged)} in all{same}.{note} "
        "Hover a cell for the quotes behind it; click it for its stage's page."
    )


def _duplicates() -> None:
    """Challenges whose names say they are likely the same, as the load's check found them."""
    pairs = data.duplicates()
    if not pairs:
        return
    names = dict(zip(data.codes()["code"], data.codes()["name"]))
    with st.expander(f"Challenges that may be the same ({len(pairs)} pair{'s' if len(pairs) != 1 else ''})"):
        st.html(
            "<ul style='margin:0'>"
            + "".join(
                f"<li>{links.challenge_link(names.get(a, a), a)} and {links.challenge_link(names.get(b, b), b)}: "
                f"{html.escape(why)}</li>"
                for a, b, why in pairs
            )
            + "</ul><p style='color:#52606d'>Merge them in the codebook (aliases) if they are one challenge.</p>"
        )


def _uncoded(summary: dict) -> None:
    """An empty or uncoded store says what to do next."""
    interviews = int(summary.get("interviews", 0))
    what = (
        f"The {interviews} interview{'s' if interviews != 1 else ''} loaded carry no codes"
        if interviews
        else "Nothing is loaded yet"
    )
    st.info(
        f"No coded challenges yet. {what}: load coded transcripts — Delve exports (PDF or text with code "
        "tags), a REFI-QDA project (.qdpx), a codings table (CSV or Excel) or a codings file (.codings.yaml) — "
        "on the Load data page, or with `challenge-graph load PATH`."
    )
    st.html(links.link("Open the Load data page", links.url("load")))


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

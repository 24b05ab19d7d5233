"""Studies: each study with its citation, codebook and counts; the studies compared stage by
stage of the reference taxonomy; the challenges at a reference stage; challenges matched across
studies. Also the sidebar's study filter."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.dashboard.views.tables import _TABLE_STYLE, link_table
from challenge_graph.export.refi_qda import codebook_xml, qdpx_bytes
from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.queries.qda_project import read_project
from challenge_graph.queries.runner import ALL_STUDIES

TITLE = "Studies"
ALL_LABEL = "All studies"


def sidebar_filter() -> None:
    """The sidebar's "Study" choice (shown when the store holds two studies or more), kept in
    ``?study=``; queries that declare a study parameter get it (:func:`data.named`)."""
    try:
        studies = data.named("studies")
    except ChallengeGraphError:  # no graph yet: nothing to choose from (the page says why)
        studies = []
    if len(studies) < 2:
        st.session_state.pop(data.STUDY_KEY, None)
        return
    ids = list(studies["study"])
    if data.STUDY_KEY not in st.session_state:  # first run: the address decides
        wanted = links.param("study").casefold()
        by_name = {k.casefold(): i for i, t in zip(ids, studies["title"]) for k in (i, str(t))}
        st.session_state[data.STUDY_KEY] = by_name.get(wanted, ALL_STUDIES)
    titles = dict(zip(ids, studies["title"]))
    # pills, not a selectbox: the pages' own selectboxes stay the first on the page
    chosen = st.sidebar.pills(
        "Study",
        [ALL_STUDIES, *ids],
        format_func=lambda v: ALL_LABEL if v == ALL_STUDIES else v,
        key=data.STUDY_KEY,
        help="Pages that list challenges by stage show this study's only. "
        + "; ".join(f"{i}: {t}" for i, t in titles.items()),
    )
    if chosen and chosen != ALL_STUDIES:
        links.set_param("study", chosen)
    elif "study" in st.query_params:
        del st.query_params["study"]


def render() -> None:
    st.title(TITLE)
    studies = data.named("studies")
    if studies.empty:
        st.info("No study loaded: load a folder of interviews (a folder with a study.yaml is a study).")
        return
    chosen = data.study_filter()
    shown = studies if chosen == ALL_STUDIES else studies[studies["study"] == chosen]
    for _, study in shown.iterrows():
        _study(study)
    st.subheader("Studies compared by reference stage")
    comparison = data.named("study-comparison")
    if comparison.empty:
        st.info("No study maps its stages onto the reference taxonomy yet (MAPS_TO in its codebook).")
    else:
        st.html(comparison_table(comparison, studies))
        st.caption(
            "Each cell: the participants of that study who reported a challenge at its stages mapped onto the "
            "reference stage (counted within the study, never pooled), and their quotes; darker, more participants. "
            "Click a cell for its challenges. Reference stages no study coded are left out."
        )
        _at_reference_stage(comparison)
    _matched()


def _study(study: pd.Series) -> None:
    """A study's heading, citation, codebook, counts and coders."""
    st.header(str(study["title"]), anchor=str(study["study"]))
    st.html(
        f"<div style='font-size:15px;color:#1f2933'>{html.escape(str(study['citation'] or ''))}</div>"
        f"<div style='font-size:14px;color:#52606d;margin-top:.3em'>Study <code>{html.escape(str(study['study']))}"
        f"</code> · codebook <code>{html.escape(str(study['codebook'] or '—'))}</code></div>"
    )
    cols = st.columns(5)
    for col, (label, key) in zip(
        cols,
        [
            ("Interviews", "interviews"),
            ("Participants", "participants"),
            ("Coders", "coders"),
            ("Challenges", "challenges"),
            ("Quotes", "quotes"),
        ],
    ):
        col.metric(label, int(study[key] or 0))
    st.markdown(coders_line(str(study["study"])))
    _downloads(str(study["study"]), has_codes=int(study["challenges"] or 0) > 0)


def _downloads(study: str, has_codes: bool) -> None:
    """The study as a REFI-QDA project and codebook, for NVivo, ATLAS.ti, MAXQDA or QualCoder
    (written when clicked, as `challenge-graph export study.qdpx --study ID` writes them)."""
    store = data.store(data.db_path())
    project = lambda: read_project(store, study)  # noqa: E731 - read when a button is clicked
    left, right = st.columns(2)
    left.download_button(
        "Download as a REFI-QDA project (.qdpx)",
        data=lambda: qdpx_bytes(project())[0],
        file_name=f"{study}.qdpx",
        mime="application/zip",
        on_click="ignore",
        key=f"qdpx-{study}",
        help="Interviews, coders, the code tree and every coded turn, for NVivo, ATLAS.ti, MAXQDA or QualCoder.",
    )
    right.download_button(
        "Download its codebook (.qdc)",
        data=lambda: codebook_xml(project()),
        file_name=f"{study}.qdc",
        mime="application/xml",
        on_click="ignore",
        key=f"qdc-{study}",
        disabled=not has_codes,
        help="The study's codes as a REFI-QDA codebook: categories, descriptions, stages and kinds as sets."
        if has_codes
        else "The study has no challenge: there is no codebook to download.",
    )


def coders_line(study: str) -> str:
    """Who coded the study's interviews, and whether any interview has two coders to compare
    (agreement itself is on the Method page, over every study)."""
    rows = data.named("coders")
    rows = rows[~rows["coder"].isin(MACHINE_CODERS)]
    rows = rows[rows["interview"].map(data.interview_studies()).eq(study)]
    if rows.empty:
        return "**Coders:** none of this study's interviews is coded."
    counts = rows.assign(who=rows["coder"] + rows["consensus"].astype(bool).map({True: " (consensus)", False: ""}))
    who = counts.groupby("who")["interview"].nunique()
    names = ", ".join(f"{data.plain(w)} ({n} interview{'s' if n != 1 else ''})" for w, n in who.items())
    shared = int((rows.groupby("interview")["coder"].nunique() >= 2).sum())
    if shared:
        agreement = (
            f"{shared} interview{'s' if shared != 1 else ''} coded by two coders or more: inter-coder agreement "
            "is on the Method page"
        )
    else:
        agreement = "each coded interview has one coder, so there is no inter-coder agreement to compute"
    return f"**Coders:** {names}; {agreement}."


_SHADES = ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b")  # light oranges: dark text stays legible on each


def comparison_table(comparison: pd.DataFrame, studies: pd.DataFrame) -> str:
    """HTML of the reference stage × study table: a row per reference stage, a column per study,
    each cell its participants and quotes, shaded by participants, linking to its challenges."""
    ids = list(studies["study"])
    most = max(int(comparison["participants"].max()), 1)
    cells = {(r["stage_id"], r["study"]): r for _, r in comparison.iterrows()}
    head = "<th>Reference stage</th>" + "".join(f"<th class='n'>{html.escape(i)}</th>" for i in ids)
    body = []
    for stage_id, rows in comparison.sort_values("position").groupby("stage_id", sort=False):
        tds = []
        for study in ids:
            row = cells.get((stage_id, study))
            if row is None:
                tds.append("<td class='n' style='color:#52606d'>—</td>")
                continue
            n, q = int(row["participants"]), int(row["quotes"])
            shade = _SHADES[min(len(_SHADES) - 1, round((len(_SHADES) - 1) * n / most))]
            text = f"{n} participant{'s' if n != 1 else ''} · {q} quote{'s' if q != 1 else ''}"
            c = int(row["challenges"])
            title = f"{c} challenge{'s' if c != 1 else ''}; mapped as {', '.join(row['relations'] or [])}"
            address = links.url("studies", stage=stage_id, study=study)
            cell = links.link(text, address)
            tds.append(f"<td class='n' style='background:{shade}' title='{html.escape(title)}'>{cell}</td>")
        name = html.escape(str(rows["reference_stage"].iloc[0]))
        body.append(f"<tr><td>{name}</td>{''.join(tds)}</tr>")
    return (
        f"{_TABLE_STYLE}<style>#study-comparison a{{color:#123f7a}}</style>"
        f"<table class='cg-table' id='study-comparison'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _at_reference_stage(comparison: pd.DataFrame) -> None:
    """The challenges at a reference stage (``?stage=``), of the study chosen in the sidebar."""
    stages = comparison.sort_values("position").drop_duplicates("stage_id")
    names = list(stages["reference_stage"])
    ids = list(stages["stage_id"])
    wanted = links.param("stage").casefold()
    busiest = comparison.groupby("stage_id")["participants"].sum().idxmax()
    default = ids.index(wanted) if wanted in ids else ids.index(busiest)
    choice = st.selectbox("Reference stage", names, index=default, key="reference_stage")
    stage_id = ids[names.index(choice)]
    links.set_param("stage", stage_id)
    chosen = data.study_filter()
    where = "every study" if chosen == ALL_STUDIES else chosen
    st.subheader(f"Challenges at {choice} ({where})")
    rows = data.named("challenges-at-stage", stage=stage_id)
    if rows.empty:
        st.info(f"No challenge of {where} is coded at a stage mapped onto {choice}.")
        return
    st.html(
        _nowrap("at-stage", (2,))
        + link_table(
            rows,
            {
                "challenge": "Challenge",
                "study": "Study",
                "stage": "Study's stage",
                "mapping": "Mapped as",
                "participants": "Participants",
                "interviews": "Interviews",
                "quotes": "Quotes",
            },
            {"challenge": lambda row: links.challenge_url(row["code"])},
        )
        + "</div>"
    )


def _nowrap(block: str, columns: tuple[int, ...]) -> str:
    """``<div id=block>`` opening a table whose study columns (1-based) never wrap (``cote-2024``)."""
    cells = ",".join(f"#{block} td:nth-child({c})" for c in columns)
    return f"<style>{cells}{{white-space:nowrap}}</style><div id='{block}'>"


def _matched() -> None:
    """Challenges of two studies that an accepted crosswalk row relates."""
    st.subheader("Challenges matched across studies")
    pairs = data.named("cross-study-challenges")
    if pairs.empty:
        st.info("No accepted crosswalk row relates challenges of two studies.")
        return
    st.html(
        _nowrap("matched", (1, 4, 6))
        + link_table(
            pairs.assign(evidence=[f"{a} and {b}" for a, b in zip(pairs["participants"], pairs["other_participants"])]),
            {
                "study": "Study",
                "challenge": "Challenge",
                "relation": "Relation",
                "other_study": "Other study",
                "other_challenge": "Other challenge",
                "evidence": "Participants",
                "note": "Note",
            },
            {
                "challenge": lambda row: links.challenge_url(row["code"]),
                "other_challenge": lambda row: links.challenge_url(row["other_code"]),
            },
        )
        + "</div>"
    )
    st.caption(
        "Relations are SKOS mapping relations, read from the first challenge to the other; participants are "
        "those behind each challenge in its own study."
    )

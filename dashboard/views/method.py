"""Method: inter-coder agreement, code saturation and co-occurrence, a tab each, each downloadable."""

from __future__ import annotations

import math
import tempfile
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data
from challenge_graph.export.visual import KIND_COLOURS

TITLE = "Method"
LOW = 0.4  # kappa/alpha under this is highlighted (below "moderate" on Landis and Koch's scale)


SECTIONS = ("Inter-coder agreement", "Code saturation", "Co-occurrence")


def render() -> None:
    """One tab per analysis; only the chosen tab's analysis runs (the first on opening the page):
    the three together took about a second at 1,000 interviews."""
    st.title(TITLE)
    tabs = st.tabs(list(SECTIONS), key="method_tab", on_change="rerun")
    for tab, section, show in zip(tabs, SECTIONS, (_agreement, _saturation, _cooccurrence)):
        if tab.open:
            with tab:
                st.subheader(section)
                show()


def _agreement() -> None:
    table, pairs = data.method("agreement")
    if table.empty:
        st.info(
            "No interview has two or more coders yet: load the same interview coded by several "
            "coders (for instance Delve exports of one interview by each coder) to compare them."
        )
        return
    kinds, names = _kinds()
    table = table.assign(
        kind=[kinds.get(c.casefold(), "") for c in table["code"]],
        name=[names.get(c.casefold(), "") for c in table["code"]],
    )
    _headline(table)
    st.markdown("#### Each code")
    left, middle, right = st.columns([2, 2, 1])
    shown_kinds = left.multiselect(
        "Kinds of code", KINDS, default=[k for k in ("Challenge",) if k in set(table["kind"])], key="agree_kinds"
    )
    search = middle.text_input("Codes or names containing", key="agree_search", placeholder="e.g. data")
    search = search.strip().casefold()
    low_only = right.toggle(f"Only under {LOW}", key="agree_low")
    rows = table[table["code"] != ALL_CODES]
    found = (rows["code"] + " " + rows["name"]).str.casefold().str.contains(search, regex=False)
    rows = rows[rows["kind"].isin(shown_kinds or KINDS) & found]
    if low_only:
        rows = rows[[_defined(v, u) and v < LOW for v, u in zip(rows["fleiss_kappa"], rows["units"])]]
    constant = rows["units"].nunique() <= 1  # the same turns for every code: said here, not on every row
    same = f", each over the same {int(rows['units'].iloc[0]):,} turns" if constant and len(rows) else ""
    st.caption(
        f"{len(rows)} of {len(table) - (ALL_CODES in set(table['code']))} codes{same}. Values under {LOW} (below "
        "“moderate” on Landis and Koch's scale) are highlighted; — marks a statistic that is undefined: no "
        "units to compare, or no variation to agree on."
    )
    columns = [
        "code",
        "name",
        "kind",
        *([] if constant else ["units"]),
        "percent_agreement",
        "fleiss_kappa",
        "krippendorff_alpha",
    ]
    st.dataframe(
        _highlight(rows, ["fleiss_kappa", "krippendorff_alpha"]),
        hide_index=True,
        width="stretch",
        column_config=_HEADERS,
        column_order=columns,
    )
    st.download_button("Download agreement (CSV)", _csv(table), "agreement.csv", "text/csv")
    # drawn when opened: a highlighted table costs about 0.3 ms a row, and there is a row per code and pair
    pairs_box = st.expander(
        f"**Coder pairs** (each pair of coders, consensus included, on each code): {len(pairs)} rows",
        key="method_pairs",
        on_change="rerun",
    )
    with pairs_box:
        if pairs_box.open:
            coders = sorted(set(pairs["coder_a"]) | set(pairs["coder_b"]))
            who = st.selectbox("Coder", ["(any coder)", *coders], key="pairs_coder")
            shown = pairs[pairs["code"].isin(set(rows["code"]) | {ALL_CODES})]
            if who != "(any coder)":
                shown = shown[(shown["coder_a"] == who) | (shown["coder_b"] == who)]
            st.caption(f"{len(shown)} of {len(pairs)} rows: the codes chosen above, and all codes together.")
            st.dataframe(
                _highlight(shown, ["cohen_kappa"]),
                hide_index=True,
                width="stretch",
                column_config=_HEADERS,
                column_order=["code", "coder_a", "coder_b", "units", "percent_agreement", "cohen_kappa"],
            )
    st.download_button("Download coder pairs (CSV)", _csv(pairs), "agreement-pairs.csv", "text/csv")


ALL_CODES = "(all codes)"
KINDS = ["Challenge", "Fix", "Practice", "Question"]
_HEADERS = {
    "code": st.column_config.TextColumn("Code", width="medium"),
    "name": st.column_config.TextColumn("Name", width="medium"),
    "kind": st.column_config.TextColumn("Kind", width="small"),
    "units": st.column_config.NumberColumn("Turns compared", format="%d"),
    "percent_agreement": st.column_config.TextColumn("Observed agreement"),
    "fleiss_kappa": st.column_config.TextColumn("Fleiss' κ"),
    "krippendorff_alpha": st.column_config.TextColumn("Krippendorff's α"),
    "coder_a": st.column_config.TextColumn("Coder", width="medium"),
    "coder_b": st.column_config.TextColumn("Compared with", width="medium"),
    "cohen_kappa": st.column_config.TextColumn("Cohen's κ"),
}


def _kinds() -> tuple[dict[str, str], dict[str, str]]:
    """Each code (case folded) -> its kind (Challenge, Fix, Practice or Question), and its name."""
    codes = data.codes()
    folded = [c.casefold() for c in codes["code"]]
    return dict(zip(folded, codes["kind"])), dict(zip(folded, codes["name"]))


def _headline(table: pd.DataFrame) -> None:
    """The agreement over all codes first, with what was compared (which interviews, which
    coders) and why observed agreement can be high while kappa is low."""
    row = table[table["code"] == ALL_CODES]
    row = (row if len(row) else table).iloc[0]
    kappa, alpha = row["fleiss_kappa"], row["krippendorff_alpha"]
    cols = st.columns(4)
    cols[0].metric("Fleiss' κ, all codes", statistic(kappa, row["units"]), help="chance-corrected agreement")
    cols[1].metric("Krippendorff's α", statistic(alpha, row["units"]))
    agreed = row["percent_agreement"]
    cols[2].metric("Observed agreement", f"{agreed:.1%}" if _defined(agreed, row["units"]) else "—")
    cols[3].metric("Decisions compared", f"{int(row['units']):,}", help="a turn counts once per code")
    compared, alone = data.compared_interviews()
    lines = [
        f"**{scale(kappa)}** agreement on Landis and Koch's scale (κ {statistic(kappa, row['units'])})."
        if _defined(kappa, row["units"])
        else "",
        "**Compared:** "
        + "; ".join(
            f"{', '.join(independent) or 'no independent coder'}"
            + (f" (consensus: {', '.join(consensus)})" if consensus else "")
            + f": {_titles(titles)}"
            for independent, consensus, titles in compared
        )
        + ". Consensus (moderation) coders are compared with each coder in the coder pairs, not in κ and α.",
    ]
    if alone:
        lines.append(
            "**Not compared** (one coder): " + "; ".join(f"{', '.join(c)}: {_titles(t)}" for c, t in alone) + "."
        )
    if _defined(kappa, row["units"]) and _defined(agreed, row["units"]) and agreed - kappa > 0.2:
        lines.append(
            "**Why observed agreement is high while κ is low:** most codes are absent from most turns, so any "
            "two coders agree on “not this code” almost everywhere. κ and α discount the agreement that chance "
            "alone gives at that prevalence, and so measure agreement on the turns where codes are applied."
        )
    st.markdown("\n\n".join(line for line in lines if line))


def _titles(titles: list[str], most: int = 6) -> str:
    """Interview titles, the first ``most`` named and the rest counted."""
    named = ", ".join(titles[:most])
    return named + (f" and {len(titles) - most} more ({len(titles)} interviews)" if len(titles) > most else "")


def scale(kappa: float) -> str:
    """Landis and Koch's name for a kappa.

    >>> scale(0.036), scale(0.41), scale(-0.2), scale(0.95)
    ('Slight', 'Moderate', 'Poor', 'Almost perfect')
    """
    for bound, name in ((0, "Poor"), (0.2, "Slight"), (0.4, "Fair"), (0.6, "Moderate"), (0.8, "Substantial")):
        if kappa <= bound:
            return name
    return "Almost perfect"


def _saturation() -> None:
    curve = data.method("saturation")
    if curve.empty:
        st.info("No coded interview yet.")
    else:
        st.dataframe(
            curve,
            hide_index=True,
            width="stretch",
            column_config={
                "order": "Order",
                "interview": st.column_config.TextColumn("Interview", width="medium"),
                "new_codes": "New codes",
                "codes": "Distinct codes so far",
                "challenges": "Distinct challenges so far",
            },
        )
        st.vega_lite_chart(curve[["order", "interview", *SERIES]], saturation_chart(curve), width="stretch")
        st.caption("Distinct codes and challenges as interviews accumulate")
        # drawn (with matplotlib, as the command line draws it) only when the button is clicked
        st.download_button("Download curve (PNG)", lambda: _curve_png(curve), "saturation.png", "image/png")


def _cooccurrence() -> None:
    pairs_frame = data.method("cooccurrence")
    if pairs_frame.empty:
        st.info("No two codes share a turn yet.")
        return
    left, right = st.columns([3, 2])
    chosen = left.multiselect("Kinds of code", KINDS, default=["Challenge"], key="co_kinds")
    own_fix = right.toggle("Leave out a challenge with its own fix", value=True, key="co_own_fix")
    pairs = cooccurrence_pairs(pairs_frame, data.codes(), data.addresses(), chosen or KINDS, own_fix)
    if pairs.empty:
        st.info("No two codes of these kinds share a turn.")
        return
    top = pairs.head(TOP_PAIRS)
    st.vega_lite_chart(top, cooccurrence_chart(top), width="stretch")
    st.caption(
        f"The {len(top)} pair{'s' if len(top) != 1 else ''} of codes that share the most turns"
        + (f", of {len(pairs)}" if len(pairs) > len(top) else "")
        + "; hover a bar for the codes and their Jaccard index. The download has every pair of every kind."
    )
    st.download_button("Download co-occurrence (CSV)", _csv(pairs_frame), "cooccurrence.csv", "text/csv")


TOP_PAIRS = 25


def cooccurrence_pairs(pairs: pd.DataFrame, codes: pd.DataFrame, addresses, kinds, own_fix: bool) -> pd.DataFrame:
    """Pairs of codes sharing turns, named, of the chosen kinds, without a challenge paired with
    the fix that addresses it when ``own_fix`` (the fix is coded where the challenge is said)."""
    name = {c.casefold(): n for c, n in zip(codes["code"], codes["name"])}
    kind = {c.casefold(): k for c, k in zip(codes["code"], codes["kind"])}
    trivial = {frozenset((f.casefold(), c.casefold())) for f, c in addresses}
    keep = [
        kind.get(a.casefold(), "Challenge") in kinds
        and kind.get(b.casefold(), "Challenge") in kinds
        and not (own_fix and frozenset((a.casefold(), b.casefold())) in trivial)
        for a, b in zip(pairs["code_a"], pairs["code_b"])
    ]
    out = pairs[keep].copy()
    out["name_a"] = [name.get(c.casefold(), c) for c in out["code_a"]]
    out["name_b"] = [name.get(c.casefold(), c) for c in out["code_b"]]
    out["pair"] = [f"{a} + {b}" for a, b in zip(out["name_a"], out["name_b"])]
    return out.reset_index(drop=True)


def _csv(frame: pd.DataFrame):
    """The CSV of ``frame``, written when its download is clicked (not on every run of the page)."""
    return lambda: data.csv_download(frame)


def cooccurrence_chart(top: pd.DataFrame) -> dict:
    """The pairs of ``top`` as horizontal bars, each named in full and level (a Vega-Lite spec,
    written out: building it through Altair checked every part against the schema, a fifth of a
    second on every run)."""
    y = {
        "field": "pair",
        "type": "nominal",
        "sort": None,
        "axis": {"labelLimit": 0, "labelFontSize": 13, "title": None},
    }
    tooltip = [
        {"field": "name_a", "type": "nominal", "title": "code"},
        {"field": "name_b", "type": "nominal", "title": "with"},
        {"field": "shared", "type": "quantitative", "title": "turns coded with both"},
        {"field": "jaccard", "type": "quantitative", "format": ".2f", "title": "Jaccard index"},
    ]
    x = {
        "field": "shared",
        "type": "quantitative",
        "title": "turns coded with both",
        "axis": {"format": "d", "tickMinStep": 1},
    }
    return {
        "layer": [
            {"mark": {"type": "bar", "color": KIND_COLOURS["Challenge"], "cornerRadiusEnd": 3}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 12},
                "encoding": {"text": {"field": "shared"}},
            },
        ],
        "encoding": {"x": x, "y": y, "tooltip": tooltip},
        "height": {"step": 26},  # a row per pair, each label whole and level
        "usermeta": {"embedOptions": {"renderer": "svg"}},  # axis labels stay text that can be read whole
    }


def _highlight(frame: pd.DataFrame, columns: list[str]):
    """Statistics to three decimals, low ones highlighted, undefined ones as "—" with the reason."""
    columns = ["percent_agreement", *columns]
    shown = frame.copy()
    for column in columns:
        shown[column] = [statistic(v, u) for v, u in zip(frame[column], frame["units"])]

    def low(column: pd.Series) -> list[str]:
        return [
            "background-color: #fde0c5" if _defined(v, u) and v < LOW else ""
            for v, u in zip(frame[column.name], frame["units"])
        ]

    return shown.style.apply(low, subset=[c for c in columns if c != "percent_agreement"])


def _defined(value, units) -> bool:
    return units > 0 and value is not None and not (isinstance(value, float) and math.isnan(value))


def statistic(value, units: int) -> str:
    """A statistic as shown: three decimals, or "—" and why it is undefined.

    >>> statistic(0.31612, 104), statistic(1.0, 0), statistic(float("nan"), 12), statistic(None, 3)
    ('0.316', '— (no units)', '— (no variation)', '— (no variation)')
    >>> statistic(-0.0004, 104)
    '0.000'
    """
    if units <= 0:
        return "— (no units)"
    if not _defined(value, units):
        return "— (no variation)"
    return f"{round(value, 3) + 0.0:.3f}"  # + 0.0: -0.0004 reads 0.000, never -0.000


SERIES = {  # column of the saturation table -> (legend label, colour)
    "new_codes": ("new codes in the interview", "#cccccc"),
    "codes": ("distinct codes so far", KIND_COLOURS["Stage"]),
    "challenges": ("distinct challenges so far", KIND_COLOURS["Challenge"]),
}


def saturation_chart(curve: pd.DataFrame) -> dict:
    """The saturation curve of the table shown as a Vega-Lite spec (``st.vega_lite_chart``
    draws it in the browser, from the frame passed with it): new codes per interview as bars (an
    outline past 40 interviews), distinct codes and challenges so far as lines, over the
    interviews in order; hovering shows the interview and its figures. Written as Vega-Lite
    itself: building it through Altair validated it against the schema, a tenth of a second."""
    few = len(curve) <= 40  # markers (and separate bars) while they can be told apart
    x = {"field": "order", "type": "quantitative", "title": "interviews coded, in order"}
    x["axis"] = {"format": "d", "tickMinStep": 1}
    x["scale"] = {"domain": [0.5, len(curve) + 0.5], "nice": False}  # room for the first and last bars
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [label for label, _ in SERIES.values()], "range": [c for _, c in SERIES.values()]},
        "legend": {"orient": "top"},
    }
    tooltip = [{"field": "order", "type": "quantitative"}, {"field": "interview", "type": "nominal"}]
    tooltip += [{"field": column, "type": "quantitative"} for column in SERIES]
    new = {
        "mark": {"type": "bar", "size": min(24, max(2, 400 // max(len(curve), 1)))}
        if few
        else {"type": "area", "interpolate": "step"},
        "transform": [{"calculate": repr(SERIES["new_codes"][0]), "as": "series"}],
        "encoding": {"y": {"field": "new_codes", "type": "quantitative", "title": "codes"}},
    }
    lines = {
        "mark": {"type": "line", "point": few},
        "transform": [
            {"fold": ["codes", "challenges"], "as": ["column", "value"]},
            {
                "calculate": f"datum.column == 'codes' ? {SERIES['codes'][0]!r} : {SERIES['challenges'][0]!r}",
                "as": "series",
            },
        ],
        "encoding": {"y": {"field": "value", "type": "quantitative", "title": "codes"}},
    }
    return {
        "height": 320,
        "encoding": {"x": x, "color": colour, "tooltip": tooltip},
        "layer": [new, lines],
    }


_DRAWING = threading.Lock()  # a download is drawn on a thread of its own; pyplot is not thread-safe


def _curve_png(curve: pd.DataFrame) -> bytes:
    """The saturation curve of the table shown, as PNG bytes (the command line's drawing)."""
    from challenge_graph.export.charts import saturation_curve

    with _DRAWING, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "curve.png"
        saturation_curve(
            list(curve["interview"]), list(curve["codes"]), list(curve["challenges"]), list(curve["new_codes"]), out
        )
        return out.read_bytes()

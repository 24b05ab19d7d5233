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
    else:
        st.caption(
            f"Units: turns of interviews coded by two or more coders. Values under {LOW} are highlighted; "
            "— marks a statistic that is undefined: no units to compare, or no variation to agree on."
        )
        st.dataframe(_highlight(table, ["fleiss_kappa", "krippendorff_alpha"]), hide_index=True, width="stretch")
        st.download_button("Download agreement (CSV)", _csv(table), "agreement.csv", "text/csv")
        # drawn when opened: a highlighted table costs about 0.3 ms a row, and there is a row per code and pair
        pairs_box = st.expander(
            f"**Coder pairs** (consensus coders compared with each coder): {len(pairs)} rows",
            key="method_pairs",
            on_change="rerun",
        )
        with pairs_box:
            if pairs_box.open:
                st.dataframe(_highlight(pairs, ["cohen_kappa"]), hide_index=True, width="stretch")
        st.download_button("Download coder pairs (CSV)", _csv(pairs), "agreement-pairs.csv", "text/csv")


def _saturation() -> None:
    curve = data.method("saturation")
    if curve.empty:
        st.info("No coded interview yet.")
    else:
        st.dataframe(curve, hide_index=True, width="stretch")
        st.vega_lite_chart(curve[["order", "interview", *SERIES]], saturation_chart(curve), width="stretch")
        st.caption("Distinct codes and challenges as interviews accumulate")
        # drawn (with matplotlib, as the command line draws it) only when the button is clicked
        st.download_button("Download curve (PNG)", lambda: _curve_png(curve), "saturation.png", "image/png")


def _cooccurrence() -> None:
    pairs_frame = data.method("cooccurrence")
    if pairs_frame.empty:
        st.info("No two codes share a turn yet.")
        return
    top = pairs_frame.head(40)
    st.vega_lite_chart(top, cooccurrence_heat_map(top), width="stretch")
    st.caption("The 40 pairs of codes that share the most turns; the download has every pair.")
    st.download_button("Download co-occurrence (CSV)", _csv(pairs_frame), "cooccurrence.csv", "text/csv")


def _csv(frame: pd.DataFrame):
    """The CSV of ``frame``, written when its download is clicked (not on every run of the page)."""
    return lambda: data.csv_download(frame)


def cooccurrence_heat_map(top: pd.DataFrame) -> dict:
    """The co-occurrence heat map of ``top`` (code pairs) as a Vega-Lite spec: the spec the
    dashboard's Altair heat map (``tables.heat_map``) gives, written out, since building it through
    Altair checked every part against the schema, a fifth of a second on every run."""
    axis = {"labelFontSize": 12, "labelLimit": 0, "labelOverlap": False, "title": None}
    x = {"axis": {"labelAngle": -35, **axis}, "field": "code_b", "type": "nominal"}
    y = {"axis": dict(axis), "field": "code_a", "sort": None, "type": "nominal"}
    tooltip = [
        {"field": "code_a", "type": "nominal"},
        {"field": "code_b", "type": "nominal"},
        {"field": "shared", "type": "quantitative"},
        {"field": "jaccard", "type": "quantitative"},
    ]
    colour = {
        "field": "shared",
        "legend": {"format": "d", "tickMinStep": 1},
        "scale": {"scheme": "oranges"},
        "title": "shared",
        "type": "quantitative",
    }
    # as tables.heat_map: the height leaves room under the rows for the slanted column labels
    room = 14 + 0.5 * 7 * max((len(str(v)) for v in top["code_b"]), default=0)
    return {
        "layer": [
            {
                "mark": {"type": "rect", "cornerRadius": 3},
                "encoding": {"color": colour, "tooltip": tooltip, "x": x, "y": y},
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {
                    "color": {"value": "black"},
                    "text": {"field": "shared", "type": "quantitative"},
                    "tooltip": tooltip,
                    "x": x,
                    "y": y,
                },
            },
        ],
        "height": round(22 * top["code_a"].nunique() + room),
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
    """
    if units <= 0:
        return "— (no units)"
    if not _defined(value, units):
        return "— (no variation)"
    return f"{value:.3f}"


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

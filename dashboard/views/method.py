"""Method: inter-coder agreement, code saturation and co-occurrence, each downloadable."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data
from challenge_graph.dashboard.views.tables import heat_map

TITLE = "Method"
LOW = 0.4  # kappa/alpha under this is highlighted (below "moderate" on Landis and Koch's scale)


def render() -> None:
    st.title(TITLE)
    st.subheader("Inter-coder agreement")
    _agreement()
    _saturation_and_cooccurrence()


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
        st.download_button("Download agreement (CSV)", data.csv_download(table), "agreement.csv", "text/csv")
        st.markdown("**Coder pairs** (consensus coders compared with each coder)")
        st.dataframe(_highlight(pairs, ["cohen_kappa"]), hide_index=True, width="stretch")
        st.download_button("Download coder pairs (CSV)", data.csv_download(pairs), "agreement-pairs.csv", "text/csv")


def _saturation_and_cooccurrence() -> None:
    st.subheader("Code saturation")
    curve = data.method("saturation")
    if curve.empty:
        st.info("No coded interview yet.")
    else:
        st.dataframe(curve, hide_index=True, width="stretch")
        png = _curve_png(curve)
        st.image(png, caption="Distinct codes and challenges as interviews accumulate")
        st.download_button("Download curve (PNG)", png, "saturation.png", "image/png")

    st.subheader("Co-occurrence")
    pairs_frame = data.method("cooccurrence")
    if pairs_frame.empty:
        st.info("No two codes share a turn yet.")
        return
    top = pairs_frame.head(40)
    chart = heat_map(
        top, x="code_b", y="code_a", value="shared", tooltip=["code_a", "code_b", "shared", "jaccard"], row_height=22
    )
    st.altair_chart(chart, width="stretch")
    st.caption("The 40 pairs of codes that share the most turns; the download has every pair.")
    st.download_button("Download co-occurrence (CSV)", data.csv_download(pairs_frame), "cooccurrence.csv", "text/csv")


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


@st.cache_data(show_spinner=False, max_entries=8)
def _curve_png(curve: pd.DataFrame) -> bytes:
    """The saturation curve of the table shown, as PNG bytes."""
    from challenge_graph.graph.drawing.charts import saturation_curve

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "curve.png"
        saturation_curve(
            list(curve["interview"]), list(curve["codes"]), list(curve["challenges"]), list(curve["new_codes"]), out
        )
        return out.read_bytes()

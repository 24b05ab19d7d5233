"""Method: inter-coder agreement, code saturation and co-occurrence, each downloadable."""
from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data

TITLE = "Method"
LOW = 0.4  # kappa/alpha under this is highlighted (below "moderate" on Landis and Koch's scale)


def render() -> None:
    st.title(TITLE)
    st.subheader("Inter-coder agreement")
    table, pairs = data.method("agreement")
    if table.empty:
        st.info("No interview has two or more coders yet: load the same interview coded by several "
                "coders (for instance Delve exports of one interview by each coder) to compare them.")
    else:
        st.caption(f"Units: turns of interviews coded by two or more coders. Values under {LOW} are highlighted.")
        st.dataframe(_highlight(table, ["fleiss_kappa", "krippendorff_alpha"]), hide_index=True, width="stretch")
        st.download_button("Download agreement (CSV)", data.csv_download(table), "agreement.csv", "text/csv")
        st.markdown("**Coder pairs** (consensus coders compared with each coder)")
        st.dataframe(_highlight(pairs, ["cohen_kappa"]), hide_index=True, width="stretch")
        st.download_button("Download coder pairs (CSV)", data.csv_download(pairs), "agreement-pairs.csv", "text/csv")

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
    chart = (alt.Chart(top).mark_rect().encode(
        x=alt.X("code_b:N", title=None, axis=alt.Axis(labelAngle=-40)), y=alt.Y("code_a:N", title=None),
        color=alt.Color("shared:Q", scale=alt.Scale(scheme="oranges")),
        tooltip=["code_a", "code_b", "shared", "jaccard"]).properties(height=max(200, 18 * top["code_a"].nunique())))
    st.altair_chart(chart, width="stretch")
    st.download_button("Download co-occurrence (CSV)", data.csv_download(pairs_frame), "cooccurrence.csv", "text/csv")


def _highlight(frame: pd.DataFrame, columns: list[str]):
    def low(value):
        return "background-color: #fde0c5" if isinstance(value, float) and value < LOW else ""

    return frame.style.map(low, subset=columns).format(precision=3)


@st.cache_data(show_spinner=False, max_entries=8)
def _curve_png(curve: pd.DataFrame) -> bytes:
    """The saturation curve of the table shown, as PNG bytes."""
    from graph.charts import saturation_curve

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "curve.png"
        saturation_curve(list(curve["interview"]), list(curve["codes"]), list(curve["challenges"]),
                         list(curve["new_codes"]), out)
        return out.read_bytes()


def compute(store, what: str):
    """The method analyses as frames (called through data.method, cached per graph)."""
    from queries.agreement import agreement
    from queries.analysis import cooccurrence, saturation

    if what == "agreement":
        table, pairs = agreement(store)
        return pd.DataFrame([asdict(r) for r in table]), pd.DataFrame([asdict(p) for p in pairs])
    if what == "saturation":
        return pd.DataFrame([asdict(r) for r in saturation(store)])
    return pd.DataFrame(cooccurrence(store), columns=["code_a", "code_b", "shared", "jaccard"])

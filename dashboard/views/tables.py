"""Tables whose challenge names link to the Challenge detail page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from challenge_graph.dashboard.links import challenge_url

__all__ = ["challenge_links"]


def challenge_links(frame: pd.DataFrame, name: str = "challenge", code: str = "code"):
    """``frame`` and a column config for ``st.dataframe``: each challenge name is a link to its
    detail (the name rides after ``#``, which the page ignores, so the cell shows it)."""
    linked = frame.copy()
    linked[name] = [f"{challenge_url(c)}#{n}" for n, c in zip(frame[name], frame[code])]
    return linked, {name: st.column_config.LinkColumn(name, display_text=r"#(.*)$")}


NO_STAGE = "no stage — add it to the codebook"


def heat_map(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    y_order: list[str] | None = None,
    tooltip: list[str] | None = None,
    row_height: int = 26,
):
    """An Altair heat map whose every axis label shows whole (none dropped as overlapping, none
    cut short), the counts in the cells and a legend with whole-number ticks."""
    import altair as alt

    rows = frame[y].nunique()
    axis = {"labelLimit": 0, "labelOverlap": False, "labelFontSize": 12, "title": None}
    chart = (
        alt.Chart(frame)
        .mark_rect(cornerRadius=3)
        .encode(
            x=alt.X(f"{x}:N", axis=alt.Axis(labelAngle=-35, **axis)),
            y=alt.Y(f"{y}:N", sort=y_order, axis=alt.Axis(**axis)),
            color=alt.Color(
                f"{value}:Q",
                scale=alt.Scale(scheme="oranges"),
                title=value,
                legend=alt.Legend(format="d", tickMinStep=1),
            ),
            tooltip=tooltip or [x, y, value],
        )
    )
    text = chart.mark_text(fontSize=12).encode(text=f"{value}:Q", color=alt.value("black"))
    # drawn as SVG: axis labels stay text that can be read (and checked) whole
    # the chart's height includes the slanted column labels: leave them room under the rows
    room = 14 + 0.5 * 7 * max((len(str(v)) for v in frame[x]), default=0)
    return (chart + text).properties(
        height=round(row_height * rows + room), usermeta={"embedOptions": {"renderer": "svg"}}
    )

"""What several pages draw the same way: tables whose names link to their pages (same tab),
quote cards that cite their place, the heat map, the note on codes at no stage."""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data, links
from challenge_graph.graph.model import citation

__all__ = ["link_table", "quote_card", "where", "heat_map", "integer_ticks", "NO_STAGE", "challenge_links"]

NO_STAGE = "no stage — add it to the codebook"

_TABLE_STYLE = (
    "<style>.cg-table{border-collapse:collapse;width:100%;font-size:15px;margin:.2em 0 .8em}"
    ".cg-table th{text-align:left;font-weight:600;color:#31333f;border-bottom:2px solid #d5dae0;padding:6px 10px}"
    ".cg-table td{border-bottom:1px solid #e6e9ef;padding:6px 10px;vertical-align:top;color:#1f2933}"
    ".cg-table td.n,.cg-table th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    ".cg-table a{color:#1c5fb8;text-decoration:none}.cg-table a:hover{text-decoration:underline}</style>"
)


def link_table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    links_by: dict[str, Callable[[pd.Series], str | None]] | None = None,
) -> str:
    """HTML of ``frame`` as a table: ``columns`` maps each column shown to its header; a column
    in ``links_by`` links each cell to the address its function gives for the row (same tab).
    Names are never cut, numbers stand right-aligned and whole."""
    links_by = links_by or {}
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f"<th class='{'n' if c in numeric else ''}'>{html.escape(t)}</th>" for c, t in columns.items())
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            address = links_by[column](row) if column in links_by else None
            cell = links.link(text, address) if address and text else html.escape(text)
            cells.append(f"<td class='{'n' if column in numeric else ''}'>{cell}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"{_TABLE_STYLE}<table class='cg-table'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def challenge_links(frame: pd.DataFrame, name: str = "challenge", code: str = "code") -> dict:
    """``links_by`` for :func:`link_table`: each challenge name links to its detail, each stage
    to its stage page (a stage column holds names: ``stage_ids`` maps them to ids)."""
    return {name: lambda row: links.challenge_url(row[code])}


def where(row, interview: str = "interview") -> str:
    """A quote's place: its interview and page (PDFs) or line (text files)."""
    place = citation(int(row.get("line") or 0), int(row.get("page") or 0))
    return f"{row[interview]}, {place}" if place else str(row[interview])


_QUOTE_STYLE = (
    "border-left:3px solid #c3cad4;padding:.1em 0 .1em .9em;margin:.2em 0 .35em;color:#1f2933;"
    "font-size:16px;line-height:1.55;white-space:pre-wrap"
)


def quote_card(text: str, source: str) -> None:
    """A quote at full contrast (as dark as the turns around it), then who said it and where."""
    st.html(f"<blockquote style='{_QUOTE_STYLE}'>{html.escape(text)}</blockquote>")
    st.caption(data.plain(source))


def integer_ticks(low: int, high: int, most: int = 6) -> list[int]:
    """Whole-number legend ticks from ``low`` to ``high``, at most ``most``, both ends included.

    >>> integer_ticks(1, 13), integer_ticks(1, 2), integer_ticks(3, 3), integer_ticks(0, 100)
    ([1, 4, 7, 10, 13], [1, 2], [3], [0, 20, 40, 60, 80, 100])
    """
    if high <= low:
        return [low]
    step = max(1, -(-(high - low) // (most - 1)))
    for nice in (1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if nice >= step and (high - low) % nice == 0 or nice >= step * 2:
            step = nice
            break
    ticks = list(range(low, high + 1, step))
    return ticks if ticks[-1] == high else ticks + [high]


def heat_map(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    y_order: list[str] | None = None,
    tooltip: list[str] | None = None,
    row_height: int = 26,
    href: str | None = None,
):
    """An Altair heat map whose every axis label shows whole (none dropped as overlapping, none
    cut short), the counts in the cells, a legend with whole-number ticks from the least count
    to the most, and (``href``: a column of addresses) cells that open a page in the same tab."""
    import altair as alt

    rows = frame[y].nunique()
    axis = {"labelLimit": 0, "labelOverlap": False, "labelFontSize": 12, "title": None}
    counts = [int(v) for v in frame[value]] or [0]
    height = round(row_height * rows)
    encoding = {
        "x": alt.X(f"{x}:N", axis=alt.Axis(labelAngle=-35, **axis)),
        "y": alt.Y(f"{y}:N", sort=y_order, axis=alt.Axis(**axis)),
        "color": alt.Color(
            f"{value}:Q",
            scale=alt.Scale(scheme="oranges", domain=[min(counts), max(counts)]),
            title=value,
            legend=alt.Legend(
                format="d",
                values=integer_ticks(min(counts), max(counts)),
                gradientLength=max(60, min(height, 200)),
            ),
        ),
        "tooltip": tooltip or [x, y, value],
    }
    if href:
        encoding["href"] = alt.Href(f"{href}:N")
    chart = alt.Chart(frame).mark_rect(cornerRadius=3, cursor="pointer" if href else "default").encode(**encoding)
    text = chart.mark_text(fontSize=12).encode(text=f"{value}:Q", color=alt.value("black"))
    # drawn as SVG: axis labels stay text that can be read (and checked) whole; links open in this tab
    # the chart's height includes the slanted column labels: leave them room under the rows
    room = 14 + 0.5 * 7 * max((len(str(v)) for v in frame[x]), default=0)
    return (chart + text).properties(
        height=round(height + room),
        usermeta={"embedOptions": {"renderer": "svg", "loader": {"target": "_self"}}},
    )

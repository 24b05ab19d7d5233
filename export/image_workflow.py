"""The ``workflow`` image layout: stages left to right in workflow order (a row per track when they
do not fit), each stage's challenges and practices stacked under it, most evidence first, each fix
right under the challenge it addresses; participants and tools in a band at the bottom. Every
label has a slot of its own, sized from the font."""

from __future__ import annotations

import networkx as nx
from matplotlib.patches import FancyBboxPatch

from challenge_graph.export.image_geometry import MASK, Marks, words_fit, wrap
from challenge_graph.export.visual import KIND_COLOURS, KIND_ORDER, stage_columns

__all__ = ["draw_workflow"]


# --- workflow layout --------------------------------------------------------------------------
def draw_workflow(ax, graph: nx.DiGraph, box: tuple[float, float, float, float], small: bool, marks: Marks):
    left, bottom, right, top = box
    columns = stage_columns(graph)
    band = [n for n, d in graph.nodes(data=True) if d["kind"] in ("Participant", "Tool")]
    band_h = 0.0 if not band else (0.45 if small else 0.8)
    per_row = max(1, min(len(columns), int((right - left) / (1.05 if small else 1.4))))
    rows = _rows_by_track(graph, columns, per_row)
    per_row = max(len(row) for row in rows)
    col_w = min((right - left) / per_row, 1.7 if small else 3.4)
    offset = left + ((right - left) - col_w * per_row) / 2  # few columns stand in the middle
    font, heights = _fit_font(graph, rows, col_w, top - bottom - band_h, small)
    texts, hidden, placed = [], 0, {}
    row_top = top
    for row, area_h in zip(rows, heights):
        for c, (stage, entries) in enumerate(row):
            x = offset + c * col_w
            y, h = _stage_box(ax, graph, stage, x, row_top, col_w, font, texts)
            placed[stage] = (x + 0.08, y + h / 2)
            y -= 0.08
            for node, indent in entries:
                lines = wrap(graph.nodes[node]["label"], col_w - 0.22 - indent, font)
                quote = _quote_lines(graph.nodes[node], col_w - 0.22 - indent, font)
                need = (len(lines) + len(quote) * 0.85) * font * 1.25 / 72 + 0.03
                if y - need < row_top - area_h - 1e-6:
                    hidden += 1
                    continue
                mx = x + 0.12 + indent
                marks.marker(graph.nodes[node], mx, y - font * 0.62 / 72, font)
                texts.append(
                    ax.text(
                        mx + font * 0.9 / 72,
                        y,
                        "\n".join(lines),
                        fontsize=font,
                        va="top",
                        color="#1f2933",
                        linespacing=1.15,
                        zorder=3,
                        bbox=MASK,
                    )
                )
                if quote:
                    texts.append(
                        ax.text(
                            mx + font * 0.9 / 72,
                            y - len(lines) * font * 1.25 / 72,
                            "\n".join(quote),
                            fontsize=font * 0.85,
                            va="top",
                            style="italic",
                            color="#555555",
                            linespacing=1.15,
                            zorder=3,
                            bbox=MASK,
                        )
                    )
                placed[node] = (mx, y - font * 0.62 / 72)
                y -= need
        row_top -= area_h
    if band:
        band_top = min(row_top, bottom + band_h + (top - bottom) * 0.25)
        band_texts, band_hidden = _band(
            ax,
            graph,
            band,
            (left, band_top - band_h, right, band_top),
            placed,
            small,
            max(font * 0.8, 5.0 if small else 8.0),
            marks,
        )
        texts += band_texts
        hidden += band_hidden
    _links(graph, placed, marks)
    return texts, hidden


def _rows_by_track(graph: nx.DiGraph, columns, per_row: int):
    """Rows of at most ``per_row`` columns that start a new row where a track starts, if it fits."""
    rows: list[list] = [[]]
    for track in dict.fromkeys(graph.nodes[stage].get("track", "") for stage, _ in columns):
        block = [c for c in columns if graph.nodes[c[0]].get("track", "") == track]
        if rows[-1] and len(rows[-1]) + len(block) > per_row:
            rows.append([])
        for column in block:
            if len(rows[-1]) == per_row:
                rows.append([])
            rows[-1].append(column)
    return rows


def _fit_font(graph, rows, col_w: float, height: float, small: bool) -> tuple[float, list[float]]:
    """One font for the whole image, the largest (down to a floor) at which every row fits, and
    each row's height at that font (rows share what is left over in proportion)."""
    font = 9.0 if small else 16.0
    floor = 4.5 if small else 6.5
    while True:
        needed = [max(_column_height(graph, st, en, col_w, font) for st, en in row) + 0.15 for row in rows]
        if sum(needed) <= height or font <= floor:
            break
        font -= 0.5
    if sum(needed) <= height:
        return font, needed
    return font, [height / len(rows)] * len(rows)  # at the floor: each row shows what fits, the rest is counted


def _column_height(graph, stage, entries, col_w: float, font: float) -> float:
    if not words_fit(_stage_title(graph, stage), col_w - 0.25, font + 0.5) or not all(
        words_fit(graph.nodes[n]["label"], col_w - 0.22 - indent, font) for n, indent in entries
    ):
        return float("inf")  # a smaller font, rather than words broken in the middle
    header = len(wrap(_stage_title(graph, stage), col_w - 0.25, font + 0.5)) * (font + 0.5) * 1.25 / 72 + 0.18
    return header + sum(
        (
            len(wrap(graph.nodes[n]["label"], col_w - 0.22 - indent, font))
            + 0.85 * len(_quote_lines(graph.nodes[n], col_w - 0.22 - indent, font))
        )
        * font
        * 1.25
        / 72
        + 0.03
        for n, indent in entries
    )


def _quote_lines(data, width_in: float, font: float) -> list[str]:
    """The node's quote (present only when exports ask for quotes), wrapped in quotation marks."""
    quote = data.get("quote")
    return wrap(f"“{quote}”", width_in, font * 0.85) if quote else []


def _stage_box(ax, graph, stage, x, y, col_w, font, texts):
    label = "\n".join(wrap(_stage_title(graph, stage), col_w - 0.25, font + 0.5))
    lines = label.count("\n") + 1
    h = lines * (font + 0.5) * 1.25 / 72 + 0.1
    ax.add_patch(
        FancyBboxPatch(
            (x + 0.04, y - h),
            col_w - 0.12,
            h,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=KIND_COLOURS["Stage"],
            edgecolor="none",
            zorder=2,
        )
    )
    texts.append(
        ax.text(
            x + 0.12,
            y - 0.05,
            label,
            fontsize=font + 0.5,
            va="top",
            color="white",
            fontweight="bold",
            zorder=3,
            linespacing=1.15,
        )
    )
    return y - h, h


def _stage_title(graph, stage) -> str:
    data = graph.nodes[stage]
    parent = data.get("parent")
    parent_label = next(
        (graph.nodes[n]["label"] for n, d in graph.nodes(data=True) if d["kind"] == "Stage" and d["id"] == parent), ""
    )
    return f"{parent_label} › {data['label']}" if parent_label else data["label"]


def _band(ax, graph, band, box, placed, small, font, marks: Marks):
    """Participants and tools in a row below the stages: as many as have room, most evidence first."""
    left, bottom, right, top = box
    band.sort(
        key=lambda n: (KIND_ORDER.index(graph.nodes[n]["kind"]), -graph.nodes[n]["evidence"], graph.nodes[n]["label"])
    )
    room = max(1, int((right - left) / (0.9 if small else 1.3)))
    shown, hidden = band[:room], len(band) - min(room, len(band))
    slot = min((right - left) / len(shown), 1.2 if small else 2.6)
    start = left + ((right - left) - slot * len(shown)) / 2
    texts = []
    for i, node in enumerate(shown):
        x = start + i * slot + 0.1
        y = top - 0.12
        marks.marker(graph.nodes[node], x, y, font)
        size = font  # a long word shrinks its own label rather than being broken
        while not words_fit(graph.nodes[node]["label"], slot - 0.3, size) and size > 4:
            size -= 0.25
        lines = wrap(graph.nodes[node]["label"], slot - 0.3, size)[:3]
        texts.append(
            ax.text(
                x + font * 0.9 / 72, y + font * 0.62 / 72, "\n".join(lines), fontsize=size, va="top", color="#1f2933"
            )
        )
        placed[node] = (x, y)
    return texts, hidden


def _links(graph, placed, marks: Marks) -> None:
    """Links between placed nodes; a fix hangs from its challenge by an elbow left of the labels."""
    for src, dst, d in graph.edges(data=True):
        if src in placed and dst in placed and d["relation"] in ("ADDRESSES", "REPORTED", "MENTIONS", "CO_OCCURS"):
            (fx, fy), (cx, cy) = placed[src], placed[dst]
            if d["relation"] == "ADDRESSES" and cx < fx < cx + 0.5 and fy < cy:
                marks.line((cx, cy), (cx, fy), ("#009E73", 0.9, 0.8))
                marks.line((cx, fy), (fx, fy), ("#009E73", 0.9, 0.8))
                continue
            style = ("#009E73", 0.9, 0.8) if d["relation"] == "ADDRESSES" else ("#9aa0a6", 0.4, 0.35)
            marks.line(placed[src], placed[dst], style)

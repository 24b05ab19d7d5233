"""The ``force`` image layout: a spring layout (networkx) for neighbourhoods that are not about the
workflow; labels that would collide are moved, or left out and counted."""

from __future__ import annotations

import networkx as nx

from challenge_graph.export.image_geometry import Grid, Marks, crosses, wrap
from challenge_graph.export.visual import RELATION_LABELS

__all__ = ["draw_force"]


# --- force layout -----------------------------------------------------------------------------
def draw_force(fig, ax, graph, box, small, marks: Marks):
    left, bottom, right, top = box
    pos = nx.spring_layout(graph, seed=7, k=1.6 / max(1, graph.number_of_nodes()) ** 0.5, iterations=100)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    margin = 0.6 if not small else 0.25

    def place(p):
        return (
            left + margin + (p[0] - min(xs)) / span_x * (right - left - 2 * margin),
            bottom + margin * 0.6 + (p[1] - min(ys)) / span_y * (top - bottom - margin * 1.2),
        )

    xy = {n: place(p) for n, p in pos.items()}
    font = 5.5 if small else 9.0
    few = graph.number_of_edges() <= 15
    radius = {node: marks.marker(data, *xy[node], font * 1.4) for node, data in graph.nodes(data=True)}
    if graph.number_of_edges() <= 60:  # arrows while they can be told apart; plain lines beyond
        for src, dst, _ in graph.edges(data=True):  # arrowheads stop at the marker's edge
            marks.arrows.append((xy[src], xy[dst], radius[src] + 1.5, radius[dst] + 1.5))
    else:
        for src, dst, _ in graph.edges(data=True):
            marks.line(xy[src], xy[dst], ("#9aa0a6", 0.5, 0.5))
    order = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["evidence"], graph.nodes[n]["label"]))
    candidates = [
        (n, "\n".join(wrap(graph.nodes[n]["label"], 1.8 if not small else 1.0, font)[:3]), xy[n]) for n in order
    ]
    if few:
        candidates += [
            (
                None,
                RELATION_LABELS.get(d["relation"], d["relation"]),
                ((xy[s][0] + xy[t][0]) / 2, (xy[s][1] + xy[t][1]) / 2),
            )
            for s, t, d in graph.edges(data=True)
        ]
    return _place_labels(fig, ax, candidates, {n: xy[n] for n in graph.nodes}, font, marks.segments())


def _place_labels(fig, ax, candidates, points, font, segments=()):
    """Put each label at the first of 24 spots around its point that collides with no placed
    label, no node, no line and stays inside; labels with no free spot are left out and counted."""
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    inside = ax.bbox
    grid = Grid(cell=60)
    lines: dict[tuple[int, int], list] = {}  # the cells each line passes through
    for a, b in segments:
        pa, pb = to_px(a), to_px(b)
        steps = max(1, int(max(abs(pb[0] - pa[0]), abs(pb[1] - pa[1])) / 20))
        for key in {
            (int((pa[0] + (pb[0] - pa[0]) * t / steps) // 60), int((pa[1] + (pb[1] - pa[1]) * t / steps) // 60))
            for t in range(steps + 1)
        }:
            for i in (-1, 0, 1):
                for j in (-1, 0, 1):
                    lines.setdefault((key[0] + i, key[1] + j), []).append((pa, pb))
    radius = font * 0.6 * fig.dpi / 72
    for node, (x, y) in points.items():
        px, py = to_px((x, y))
        grid.add((px - radius, py - radius, px + radius, py + radius), owner=node)
    texts, hidden = [], 0
    near = ((0.12, 0), (-0.12, 0), (0, 0.14), (0, -0.14), (0.12, 0.16), (0.12, -0.16), (-0.12, 0.16), (-0.12, -0.16))
    spots = [(dx * k, dy * k) for k in (1, 1.8, 2.6) for dx, dy in near]  # further out when lines are in the way
    for node, label, (x, y) in candidates:
        size = font if node else font * 0.8
        text = ax.text(
            x, y, label, fontsize=size, ha="left", va="center", color="#1f2933" if node else "#777777", zorder=4
        )
        extent = text.get_window_extent(renderer)  # measured once; spots are computed from it
        w, h = extent.width * 1.03, extent.height * 1.08
        for dx, dy in spots:
            ax_, ay_ = to_px((x + dx, y + dy))
            x0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w / 2
            rect = (x0, ay_ - h / 2, x0 + w, ay_ + h / 2)
            if (
                inside.x0 <= rect[0]
                and rect[2] <= inside.x1
                and inside.y0 <= rect[1]
                and rect[3] <= inside.y1
                and not grid.hits(rect, ignore=node)
                and not any(crosses(pa, pb, rect) for key in grid._keys(rect) for pa, pb in lines.get(key, ()))
            ):
                text.set_position((x + dx, y + dy))
                text.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0 else "center")
                grid.add(rect, owner=None)
                texts.append(text)
                break
        else:
            text.remove()
            hidden += 1
    return texts, hidden

"""The ``force`` image layout: a spring layout (networkx) for neighbourhoods that are not about the
workflow. As many nodes as the image holds at its fixed fonts are drawn, most evidence first (the
centre always, with its label); every drawn node has its label, moved clear of other labels,
nodes and lines, or the node is left out and counted. Lines are coloured by relation and named in
the legend; they carry no arrowheads."""

from __future__ import annotations

import networkx as nx

from challenge_graph.export.image_geometry import Grid, Marks, crosses, text_rects, wrap
from challenge_graph.export.image_workflow import LINE, Drawn
from challenge_graph.export.visual import Fonts

__all__ = ["draw_force"]


def draw_force(fig, ax, graph: nx.DiGraph, box, fonts: Fonts, marks: Marks) -> Drawn:
    left, bottom, right, top = box
    drawn = Drawn()
    centre = graph.graph.get("centre_node")
    order = sorted(graph.nodes, key=lambda n: (n != centre, -graph.nodes[n]["evidence"], graph.nodes[n]["label"], n))
    label_w = 14 * fonts.label * 0.62 / 72 + 0.3
    room = max(4, int((right - left) * (top - bottom) / (label_w * _h(2, fonts.label) * 3.5)))
    chosen = _connected(graph, order, room)
    drawn.left_out["with less evidence"] += len(order) - len(chosen)
    sub = graph.subgraph(chosen)
    pos = _positions(sub, centre)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    margin_x, margin_y = label_w * 0.6, _h(2, fonts.label)
    xy = {
        n: (
            left + margin_x + (p[0] - min(xs)) / span_x * (right - left - 2 * margin_x),
            bottom + margin_y + (p[1] - min(ys)) / span_y * (top - bottom - 2 * margin_y),
        )
        for n, p in pos.items()
    }
    segments = [(xy[s], xy[t]) for s, t in sub.edges]
    labels = [(n, "\n".join(wrap(graph.nodes[n]["label"], label_w - 0.3, fonts.label)[:3])) for n in chosen]
    texts = _place_labels(fig, ax, labels, xy, fonts.label, segments, centre)
    rects = text_rects(fig, texts.values())
    edges = [(s, t) for s, t in sub.edges if not any(crosses(xy[s], xy[t], r) for r in rects)]
    lonely = []  # a node with no line left to anything drawn tells nothing: it is left out
    while len(texts) > 1:
        linked = {n for e in edges for n in e if e[0] in texts and e[1] in texts}
        alone = [n for n in texts if n not in linked]
        if not alone:
            break
        for node in alone:
            texts.pop(node).remove()
        lonely += alone
    drawn.left_out["not linked to anything drawn"] += len(lonely)
    drawn.left_out["with less evidence"] += len(chosen) - len(texts) - len(lonely)
    for node, text in texts.items():
        text.set_gid(f"node-{len(drawn.placed)}-{graph.nodes[node]['kind']}")
        drawn.texts.append(text)
        drawn.placed[node] = xy[node]
        marks.marker(graph.nodes[node], *xy[node], fonts.label)
    for src, dst in edges:
        if src in texts and dst in texts:
            marks.line(xy[src], xy[dst], sub.edges[src, dst]["relation"])
    return drawn


def _connected(graph: nx.DiGraph, order: list, room: int) -> list:
    """Up to ``room`` nodes, grown from the first of ``order`` (the centre, or the most evidence)
    by the neighbour with most evidence, so every node drawn has a line to another; a new
    component starts only when the first is drawn whole."""
    rank = {n: i for i, n in enumerate(order)}
    chosen: list = []
    frontier: set = set()
    while len(chosen) < min(room, len(order)):
        pick = min(frontier, key=rank.get) if frontier else next(n for n in order if n not in chosen)
        chosen.append(pick)
        frontier.discard(pick)
        frontier |= {m for m in nx.all_neighbors(graph, pick) if m not in chosen}
    return chosen


def _positions(sub: nx.DiGraph, centre) -> dict:
    """A spring layout (unweighted: a heavy link must not pile nodes onto each other), started
    from rings around the centre by distance, kinds together, so a neighbourhood reads as a star."""
    k = 1.6 / max(1, sub.number_of_nodes()) ** 0.5
    if centre not in sub or sub.number_of_nodes() < 3:
        return nx.spring_layout(sub, weight=None, seed=7, k=k, iterations=100)
    distance = nx.single_source_shortest_path_length(sub.to_undirected(as_view=True), centre)
    rings: dict[int, list] = {}
    for node in sub:
        rings.setdefault(distance.get(node, max(distance.values()) + 1), []).append(node)
    shells = [sorted(rings[d], key=lambda n: (sub.nodes[n]["kind"], sub.nodes[n]["label"])) for d in sorted(rings)]
    start = nx.shell_layout(sub, nlist=shells)
    return nx.spring_layout(sub, pos=start, fixed=[centre], weight=None, seed=7, k=k, iterations=30)


def _h(lines: float, font: float) -> float:
    return lines * font * LINE / 72


def _place_labels(fig, ax, candidates, points, font, segments, centre) -> dict:
    """Put each label at the first of 24 spots around its point that collides with no placed
    label, no node, no line and stays inside; the centre's label goes first and, if it must,
    over lines (which are then left out). Returns the placed labels by node."""
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
                    lines.setdefault((key[0] + i, key[1] + j), []).append((tuple(pa), tuple(pb)))
    radius = font * 0.6 * fig.dpi / 72
    for node, (x, y) in points.items():
        px, py = to_px((x, y))
        grid.add((px - radius, py - radius, px + radius, py + radius), owner=node)
    placed = {}
    step = font / 72
    near = ((1, 0), (-1, 0), (0, 1.2), (0, -1.2), (1, 1.2), (1, -1.2), (-1, 1.2), (-1, -1.2))
    spots = [(dx * k * step, dy * k * step) for k in (1, 1.6) for dx, dy in near]  # close: a label names its node
    far = [(dx * k * step, dy * k * step) for k in (1, 2, 3.2, 4.5, 6, 8) for dx, dy in near]
    for node, label in candidates:
        x, y = points[node]
        weight = "bold" if node == centre else "normal"
        text = ax.text(x, y, label, fontsize=font, ha="left", va="center", color="#1f2933", zorder=4, fontweight=weight)
        text.set_linespacing(1.1)
        extent = text.get_window_extent(renderer)  # measured once; spots are computed from it
        w, h = extent.width * 1.03, extent.height * 1.08
        for wide in (False, True) if node == centre else (False,):
            spot = _free_spot(far if wide else spots, (x, y), (w, h), to_px, inside, grid, node, lines, wide)
            if spot:
                (dx, dy), rect = spot
                text.set_position((x + dx, y + dy))
                text.set_horizontalalignment("left" if dx > 0 else "right" if dx < 0 else "center")
                grid.add(rect, owner=None)
                placed[node] = text
                break
        else:
            text.remove()
    return placed


def _free_spot(spots, point, size, to_px, inside, grid, node, lines, fewest=False):
    """The first spot whose label box stays inside and hits no label, node or line; with
    ``fewest`` (the centre's label, which is always drawn), the one crossing fewest lines."""
    x, y = point
    w, h = size
    best = None
    for dx, dy in spots:
        ax_, ay_ = to_px((x + dx, y + dy))
        x0 = ax_ if dx > 0 else ax_ - w if dx < 0 else ax_ - w / 2
        rect = (x0, ay_ - h / 2, x0 + w, ay_ + h / 2)
        if not (
            inside.x0 <= rect[0]
            and rect[2] <= inside.x1
            and inside.y0 <= rect[1]
            and rect[3] <= inside.y1
            and not grid.hits(rect, ignore=node)
        ):
            continue
        near = {seg for key in grid._keys(rect) for seg in lines.get(key, ())}
        crossed = sum(crosses(pa, pb, rect) for pa, pb in near)
        if not crossed:
            return (dx, dy), rect
        if fewest and (best is None or crossed < best[0]):
            best = (crossed, (dx, dy), rect)
    return best[1:] if best else None

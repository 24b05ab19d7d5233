"""Interactive HTML of a network (pyvis), self-contained so it opens offline.

Nodes stand where :mod:`export.web_layout` puts them (no physics: nothing moves after the first
paint, nodes can still be dragged), as boxes whose labels are wrapped between words; the view is
fitted to the frame once drawn. Only the lines the layout draws are shown, each kind in a colour
and pattern of its own that the legend names; a line that would cross a box is drawn while the
pointer rests on one of its ends.
"""

from __future__ import annotations

import html
import json
import re

import networkx as nx
from pyvis.network import Network

from challenge_graph.export.visual import KIND_COLOURS
from challenge_graph.export.web_layout import (
    FONT,
    HEADING_FONT,
    ROUNDNESS,
    Layout,
    all_boxes,
    box_size,
    text_width,
    web_layout,
)

__all__ = ["network_html", "legend_html", "frame_height", "LINE_KINDS", "drawn_lines", "crossing_edges", "edge_path"]

_OPTIONS = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {"smooth": False, "arrows": {"to": {"enabled": False, "scaleFactor": 0.5}}},
    "nodes": {
        "shape": "box",
        "margin": 6,
        "borderWidth": 1.5,
        "font": {"size": FONT, "face": "Helvetica,Arial,sans-serif", "align": "left"},
    },
}

# relation -> (colour, dashed, arrow, what a line of the kind means), in the legend's order
LINE_KINDS = {
    "NEXT": ("#3c4043", False, True, "next stage"),
    "LATER": ("#3c4043", True, True, "a later stage (the stages between have nothing coded)"),
    "ADDRESSES": ("#009E73", False, True, "fix → the challenge it addresses"),
    "AT_STAGE": ("#0072B2", False, True, "code → its stage"),
    "PART_OF": ("#0072B2", True, True, "sub-stage → its stage"),
    "REPORTED": ("rgba(204,121,167,0.75)", False, False, "participant — a code on their quotes"),
    "MENTIONS": ("rgba(230,159,0,0.8)", False, False, "a tool mentioned in the quotes"),
    "CO_OCCURS": ("rgba(213,94,0,0.8)", True, False, "coded on the same turns"),
}
REFERENCE_WIDTH = 925  # px: about the frame's width in a 1,400 px window
FIT_PAD = 16  # px of the layout left around it when fitted to the frame


def network_html(
    graph: nx.DiGraph,
    height: str | None = None,
    title: str = "",
    links: dict[str, str] | None = None,
    legend: bool = True,
    layout: Layout | None = None,
) -> str:
    """A self-contained HTML page drawing ``graph`` with vis-network inlined (no CDN).

    ``links`` maps nodes to addresses that a click on the node opens in the page holding the
    view (the dashboard links names to their pages this way). ``legend`` puts the legend of node
    and line kinds above the drawing (the dashboard draws it outside the frame).
    """
    layout = layout or web_layout(graph)
    net = Network(
        height=height or f"{frame_height(graph, layout)}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
        bgcolor="#ffffff",
    )
    net.set_options(json.dumps(_OPTIONS))
    for node, data in graph.nodes(data=True):
        _add_node(net, graph, layout, node, data, (links or {}).get(node))
    for heading, (x, y, text) in layout.headings.items():
        net.add_node(
            heading,
            label=text,
            x=x,
            y=y,
            shape="text",
            fixed=True,
            chosen=False,
            font={"size": HEADING_FONT, "color": "#3e4c59", "bold": True},
        )
    reveal = _add_edges(net, graph, layout)
    page = _OFFLINE_STRIP.sub("", net.generate_html(notebook=False))
    script = _AFTER_DRAWING.replace("REVEAL", json.dumps(reveal)).replace("FIT_PAD", str(FIT_PAD))
    page = page.replace("</body>", script + "</body>", 1)
    top = f"<h3 style='font-family:sans-serif'>{html.escape(title)}</h3>" if title else ""
    if legend:
        top += legend_html(graph, layout)
    return page.replace("<body>", f"<body>{top}", 1) if top else page


def _add_node(net: Network, graph: nx.DiGraph, layout: Layout, node: str, data: dict, link: str | None) -> None:
    kind = data["kind"]
    colour = KIND_COLOURS.get(kind, "#999999")
    x, y = layout.positions[node]
    header = kind == "Stage" and not _is_substage(graph, node, layout)
    if kind == "Stage" and not data.get("id"):  # codes with no stage: a grey header
        colour = "#7b8794"
    fill = colour if header else _tint(colour)
    what = f"{data['evidence']} codes" if kind == "Stage" else f"evidence: {data['evidence']}"
    hint = {"Challenge": "its detail", "Stage": "its stage page", "Participant": "the network around them"}
    extra = {"href": link} if link else {}
    net.add_node(
        # vis-network shows titles as HTML: escape what came from input files
        node,
        label="\n".join(layout.lines[node]),
        x=x,
        y=y,
        shape="box",
        title=html.escape(
            f"{kind}: {data['label']} ({what})" + (f" · click for {hint.get(kind, 'more')}" if link else "")
        ),
        color={
            "background": fill,
            "border": colour,
            "highlight": {"background": "#fff3b0", "border": colour},
            "hover": {"background": "#fff8d6" if not header else colour, "border": colour},
        },
        font={"color": "white" if header else "#1f2933", "bold": kind == "Stage"},
        borderWidth=3 if node == graph.graph.get("centre_node") else 1.5,
        widthConstraint={"minimum": layout.widths[node], "maximum": layout.widths[node] + _slack(layout.lines[node])},
        **extra,
    )


def _slack(lines: list[str], bold: bool = True) -> float:
    """Room vis-network needs past a box's width not to wrap its lines again: deciding where to
    wrap, it weighs each gap between words as three spaces (the box stays as wide as its lines)."""
    return max(2 * line.count(" ") * text_width(" ", bold) for line in lines) + 2


def _is_substage(graph: nx.DiGraph, node: str, layout: Layout) -> bool:
    """A stage drawn inside another's column, or heading a participant's codes."""
    parent = graph.nodes[node].get("parent")
    return bool(parent and f"Stage:{parent}" in graph) or (layout.kind == "star" and node != graph.graph["centre_node"])


def _add_edges(net: Network, graph: nx.DiGraph, layout: Layout) -> dict[str, list[str]]:
    """Every edge of ``graph`` (hidden unless the layout draws it) and an arrow between each pair
    of neighbouring stage columns. Returns the lines shown only on hover, by node."""
    crossing = crossing_edges(graph, layout)
    reveal: dict[str, list[str]] = {}
    flow = set(layout.flow)
    for n, (src, dst, data) in enumerate(graph.edges(data=True)):
        relation = data["relation"]
        drawn = (src, dst) in layout.straight or (src, dst) in layout.curves or (src, dst) in flow
        if relation == "NEXT" and (src, dst) not in flow:
            drawn = False
        edge_id = f"e{n}"
        if drawn and (src, dst) in crossing:
            reveal.setdefault(src, []).append(edge_id)
            reveal.setdefault(dst, []).append(edge_id)
        _add_edge(
            net, layout, src, dst, relation, data.get("weight", 1), edge_id, hidden=not drawn or (src, dst) in crossing
        )
    for n, (src, dst) in enumerate(p for p in layout.flow if not graph.has_edge(*p)):
        _add_edge(net, layout, src, dst, "LATER", 1, f"later{n}", hidden=(src, dst) in crossing)
    return reveal


def _add_edge(net: Network, layout: Layout, src: str, dst: str, relation: str, weight: int, edge_id: str, hidden: bool):
    colour, dashed, arrow, meaning = LINE_KINDS.get(relation, ("#9aa0a6", False, False, relation.lower()))
    curve = (src, dst) in layout.curves
    net.add_edge(
        src,
        dst,
        id=edge_id,
        title=f"{meaning} ({weight})" if relation in ("REPORTED", "MENTIONS", "CO_OCCURS") else meaning,
        width=1.5 if relation in ("NEXT", "LATER", "ADDRESSES") else 1 + min(weight, 8) * 0.15,
        dashes=dashed,
        hidden=hidden,
        color={"color": colour, "highlight": "#1f2933", "hover": "#1f2933"},
        arrows={"to": {"enabled": arrow, "scaleFactor": 0.5}},
        smooth={"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal", "roundness": ROUNDNESS}
        if curve
        else False,
    )


def drawn_lines(graph: nx.DiGraph, layout: Layout | None = None) -> tuple[list[str], int]:
    """The kinds of line drawn at first paint (``LINE_KINDS`` keys, in its order) and how many
    lines are drawn only on hover (they would cross a box)."""
    layout = layout or web_layout(graph)
    crossing = crossing_edges(graph, layout)
    kinds = set()
    for src, dst in layout.straight | layout.curves:
        if graph.has_edge(src, dst) and (src, dst) not in crossing:
            kinds.add(graph.edges[src, dst]["relation"])
    for src, dst in layout.flow:
        if (src, dst) not in crossing:
            kinds.add("NEXT" if graph.has_edge(src, dst) else "LATER")
    return [k for k in LINE_KINDS if k in kinds], len(crossing)


def frame_height(graph: nx.DiGraph, layout: Layout | None = None, least: int = 360, most: int = 2400) -> int:
    """Pixels of height in which the layout, fitted to a frame ``REFERENCE_WIDTH`` wide, keeps
    its labels at the size they have when fitted to the frame's width."""
    layout = layout or web_layout(graph)
    scale = min(1.0, REFERENCE_WIDTH / (layout.width + 2 * FIT_PAD))
    return max(least, min(most, round((layout.height + 2 * FIT_PAD) * scale) + 8))


_KIND_SAMPLE = (
    "<span style='display:inline-block;margin-right:14px;white-space:nowrap'><span style='display:inline-block;"
    "width:12px;height:12px;border-radius:3px;background:{colour};margin-right:5px;vertical-align:-1px'></span>"
    "{kind}</span>"
)
_LINE_SAMPLE = (
    "<span style='display:inline-block;margin-right:14px;white-space:nowrap'><span style='display:inline-block;"
    "width:26px;border-top:2px {style} {colour};vertical-align:middle'></span><span style='color:{colour};"
    "font-size:10px;vertical-align:middle;margin-right:5px'>{head}</span>{meaning}</span>"
)


def legend_html(graph: nx.DiGraph, layout: Layout | None = None) -> str:
    """What the colours of the boxes, the kinds of line and the placement of the boxes mean."""
    layout = layout or web_layout(graph)
    present = {d["kind"] for _, d in graph.nodes(data=True)}
    kinds = "".join(
        _KIND_SAMPLE.format(colour=KIND_COLOURS[k], kind=k)
        for k in ("Stage", "Challenge", "Fix", "Practice", "Participant", "Tool")
        if k in present
    )
    lines, hidden = drawn_lines(graph, layout)
    samples = "".join(
        _LINE_SAMPLE.format(
            colour=LINE_KINDS[k][0],
            style="dashed" if LINE_KINDS[k][1] else "solid",
            head="&#9654;" if LINE_KINDS[k][2] else "&nbsp;",
            meaning=html.escape(LINE_KINDS[k][3]),
        )
        for k in lines
    )
    notes = [*layout.notes]
    if hidden:
        notes.append(f"{hidden} line{'s' if hidden != 1 else ''} that would cross a box show when you point at an end")
    note = f"<div style='color:#52606d;margin-top:3px'>{html.escape('; '.join(notes))}.</div>" if notes else ""
    rows = f"<div>{kinds}</div>" + (f"<div style='margin-top:3px'>Lines: {samples}</div>" if samples else "")
    return (
        f"<div class='network-legend' style='font-family:sans-serif;font-size:14px;line-height:1.6'>{rows}{note}</div>"
    )


# fit once drawn; a click on a node with an address opens it in the page holding the frame (same
# tab); pointing at a node draws the lines of its that would cross a box
_AFTER_DRAWING = """<script>
(function fit() {  // as network.fit(), without the tenth it leaves around the drawing
  var box = null;
  nodes.getIds().forEach(function (id) {
    var b = network.getBoundingBox(id);
    box = box ? {left: Math.min(box.left, b.left), right: Math.max(box.right, b.right),
                 top: Math.min(box.top, b.top), bottom: Math.max(box.bottom, b.bottom)} : b;
  });
  if (!box) { return; }
  var canvas = network.canvas.frame.canvas;
  var scale = Math.min(1.2, canvas.clientWidth / (box.right - box.left + 2 * FIT_PAD),
                       canvas.clientHeight / (box.bottom - box.top + 2 * FIT_PAD));
  network.moveTo({position: {x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2}, scale: scale,
                  animation: false});
})();
window.networkFitted = true;
var reveal = REVEAL;
function showLines(node, show) {
  var ids = reveal[node] || [];
  if (ids.length) { edges.update(ids.map(function (id) { return {id: id, hidden: !show}; })); }
}
network.on("hoverNode", function (params) { showLines(params.node, true); });
network.on("blurNode", function (params) { showLines(params.node, false); });
network.on("click", function (params) {
  if (!params.nodes.length) { return; }
  var target = nodes.get(params.nodes[0]).href;
  if (!target) { return; }
  var page = window;
  try { if (window.parent && window.parent.document) { page = window.parent; } } catch (e) { page = window; }
  var link = page.document.createElement("a");
  link.href = target;
  page.document.body.appendChild(link);
  link.click();
});
</script>
"""


def edge_path(layout: Layout, src: str, dst: str, steps: int = 48) -> list[tuple[float, float]]:
    """Points along the line drawn from ``src`` to ``dst`` (straight, or vis-network's cubic
    Bézier forced horizontal for a curve)."""
    (x0, y0), (x1, y1) = layout.positions[src], layout.positions[dst]
    if (src, dst) not in layout.curves:
        return [(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps) for t in range(steps + 1)]
    dx = x1 - x0
    p1, p2 = (x0 + ROUNDNESS * dx, y0), (x1 - ROUNDNESS * dx, y1)
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        points.append((a * x0 + b * p1[0] + c * p2[0] + d * x1, a * y0 + b * p1[1] + c * p2[1] + d * y1))
    return points


def crossing_edges(graph: nx.DiGraph, layout: Layout, margin: float = 3.0) -> set[tuple[str, str]]:
    """The drawn lines (straight, curves and stage arrows) that would pass through a box other
    than their ends' (``margin`` pixels around every box count as the box)."""
    boxes = []
    for node, (x, y) in all_boxes(layout):
        w, h = box_size(layout, node)
        boxes.append((node, x - w / 2 - margin, y - h / 2 - margin, x + w / 2 + margin, y + h / 2 + margin))
    crossing = set()
    for src, dst in [*layout.straight, *layout.curves, *layout.flow]:
        ends = {src, dst}
        points = edge_path(layout, src, dst, steps=max(24, int(_length(layout, src, dst) / 6)))
        for node, left, top, right, bottom in boxes:
            if node in ends:
                continue
            if any(left < px < right and top < py < bottom for px, py in points):
                crossing.add((src, dst))
                break
    return crossing


def _length(layout: Layout, src: str, dst: str) -> float:
    (x0, y0), (x1, y1) = layout.positions[src], layout.positions[dst]
    return abs(x1 - x0) + abs(y1 - y0)


# pyvis links Bootstrap from a CDN even with cdn_resources="in_line"; the graph does not need it
_OFFLINE_STRIP = re.compile(
    r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.S
)


def _tint(colour: str, keep: float = 0.22) -> str:
    """``colour`` mixed with white: a light fill that dark text reads on."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in (r, g, b))

"""Interactive HTML of a network (pyvis), self-contained so it opens offline.

Nodes stand where :mod:`export.web_layout` puts them (no physics: nothing moves after the first
paint, nodes can still be dragged), as boxes whose labels are wrapped at spaces; the view is
fitted to the frame once drawn. Edges pass under the boxes, arrowheads stop at their border.
"""

from __future__ import annotations

import html
import json
import re

import networkx as nx
from pyvis.network import Network

from challenge_graph.export.visual import KIND_COLOURS, RELATION_LABELS
from challenge_graph.export.web_layout import BOX, FONT, web_layout

__all__ = ["network_html", "legend_html", "frame_height"]

_OPTIONS = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {
        "smooth": False,
        "color": {"color": "#9aa0a6", "highlight": "#444444"},
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
    },
    "nodes": {
        "shape": "box",
        "margin": 6,
        "borderWidth": 1.5,
        "font": {"size": FONT, "face": "Helvetica,Arial,sans-serif", "align": "left"},
        "widthConstraint": {"minimum": BOX, "maximum": BOX},
    },
}


def network_html(
    graph: nx.DiGraph, height: str | None = None, title: str = "", links: dict[str, str] | None = None
) -> str:
    """A self-contained HTML page drawing ``graph`` with vis-network inlined (no CDN).

    ``links`` maps nodes to addresses that a click on the node opens in the page holding the
    view (the dashboard links challenges to their detail page this way).
    """
    layout = web_layout(graph)
    net = Network(
        height=height or f"{frame_height(graph)}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
        bgcolor="#ffffff",
    )
    net.set_options(json.dumps(_OPTIONS))
    for node, data in graph.nodes(data=True):
        colour = KIND_COLOURS.get(data["kind"], "#999999")
        stage = data["kind"] == "Stage"
        x, y = layout.positions[node]
        extra = {"href": links[node]} if links and node in links else {}
        net.add_node(
            # vis-network shows titles as HTML: escape what came from input files
            node,
            label="\n".join(layout.lines[node]),
            x=x,
            y=y,
            shape="box",
            title=html.escape(f"{data['kind']}: {data['label']} (evidence: {data['evidence']})"),
            color={
                "background": colour if stage else _tint(colour),
                "border": colour,
                "highlight": {"background": "#fff3b0", "border": colour},
            },
            font={"color": "white" if stage else "#1f2933", "bold": stage},
            borderWidth=3 if node == graph.graph.get("centre_node") else 1.5,
            **extra,
        )
    for src, dst, data in graph.edges(data=True):
        relation = data["relation"]
        net.add_edge(
            src,
            dst,
            title=f"{RELATION_LABELS.get(relation, relation)} ({data['weight']})",
            width=1 + min(data["weight"], 8) * 0.25,
            dashes=relation in ("PART_OF", "CO_OCCURS"),
            # a code under its stage says where it stands without a line; evidence lines stay faint
            hidden=relation == "AT_STAGE" and layout.stage_rows,
            color=_EDGE_COLOURS.get(relation, "#9aa0a6"),
            arrows="to" if relation in _ARROWS else "",
        )
    page = _OFFLINE_STRIP.sub("", net.generate_html(notebook=False))
    page = page.replace("</body>", _AFTER_DRAWING + "</body>", 1)
    if title:
        page = page.replace("<body>", f"<body><h3 style='font-family:sans-serif'>{html.escape(title)}</h3>", 1)
    return page


def frame_height(graph: nx.DiGraph, scale: float = 0.95, least: int = 360, most: int = 2400) -> int:
    """Pixels of height in which the layout, fitted to a frame about as wide as it, keeps its
    labels at about their own size."""
    return max(least, min(most, round(web_layout(graph).height * scale) + 60))


_EDGE_COLOURS = {
    "ADDRESSES": "#009E73",
    "REPORTED": "rgba(150,150,150,0.22)",
    "MENTIONS": "rgba(230,159,0,0.3)",
    "CO_OCCURS": "rgba(213,94,0,0.35)",
}
_ARROWS = ("ADDRESSES", "AT_STAGE", "NEXT", "PART_OF")

# fit once drawn; a click on a node with an address opens it in the page holding the frame
_AFTER_DRAWING = """<script>
network.fit({animation: false});
window.networkFitted = true;
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

# pyvis links Bootstrap from a CDN even with cdn_resources="in_line"; the graph does not need it
_OFFLINE_STRIP = re.compile(
    r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.S
)


def legend_html(kinds: list[str]) -> str:
    """Coloured chips naming each node kind shown."""
    chips = "".join(
        f"<span style='display:inline-block;margin-right:14px'><span style='display:inline-block;width:12px;"
        f"height:12px;border-radius:3px;background:{KIND_COLOURS.get(k, '#999')};margin-right:5px'></span>{k}</span>"
        for k in kinds
    )
    return f"<div style='font-family:sans-serif;font-size:14px'>{chips}</div>"


def _tint(colour: str, keep: float = 0.22) -> str:
    """``colour`` mixed with white: a light fill that dark text reads on."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in (r, g, b))

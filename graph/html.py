"""Interactive HTML of a network (pyvis), self-contained so it opens offline."""
from __future__ import annotations

import html
import re

import networkx as nx
from pyvis.network import Network

from graph.visual import KIND_COLOURS, RELATION_LABELS, node_size

__all__ = ["network_html", "legend_html"]


def network_html(graph: nx.DiGraph, height: str = "640px", title: str = "") -> str:
    """A self-contained HTML page drawing ``graph`` with vis-network inlined (no CDN)."""
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    net.barnes_hut(gravity=-6000, spring_length=140)
    for node, data in graph.nodes(data=True):
        net.add_node(
            # vis-network shows titles as HTML: escape what came from input files
            node, label=_short(data["label"]),
            title=html.escape(f"{data['kind']}: {data['label']} (evidence: {data['evidence']})"),
            color=KIND_COLOURS.get(data["kind"], "#999999"), size=node_size(data["evidence"]),
            shape="box" if data["kind"] == "Stage" else "dot",
            font={"size": 14, "color": "white" if data["kind"] == "Stage" else "#222222"},
        )
    for src, dst, data in graph.edges(data=True):
        net.add_edge(src, dst, title=f"{RELATION_LABELS.get(data['relation'], data['relation'])} ({data['weight']})",
                     width=1 + min(data["weight"], 8) * 0.5, color="#9aa0a6")
    page = _OFFLINE_STRIP.sub("", net.generate_html(notebook=False))
    if title:
        page = page.replace("<body>", f"<body><h3 style='font-family:sans-serif'>{html.escape(title)}</h3>", 1)
    return page


# pyvis links Bootstrap from a CDN even with cdn_resources="in_line"; the graph does not need it
_OFFLINE_STRIP = re.compile(
    r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>|<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", re.S
)


def legend_html(kinds: list[str]) -> str:
    """Coloured chips naming each node kind shown."""
    chips = "".join(
        f"<span style='display:inline-block;margin-right:14px'><span style='display:inline-block;width:12px;"
        f"height:12px;border-radius:6px;background:{KIND_COLOURS.get(k, '#999')};margin-right:5px'></span>{k}</span>"
        for k in kinds
    )
    return f"<div style='font-family:sans-serif;font-size:14px'>{chips}</div>"


def _short(label: str, width: int = 32) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"

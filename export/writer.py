"""Write a selected network in the format its file name asks for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from challenge_graph.export.formats import DATA_FORMATS, write_data
from challenge_graph.export.html import network_html
from challenge_graph.export.images import IMAGE_FORMATS, render_image
from challenge_graph.graph.errors import ChallengeGraphError

__all__ = ["EXPORT_FORMATS", "Exported", "export_graph"]

EXPORT_FORMATS = (*IMAGE_FORMATS, ".html", *DATA_FORMATS)


@dataclass(frozen=True)
class Exported:
    files: list[Path]
    nodes: int
    edges: int
    note: str = ""
    drawn: str = ""  # images: what the footer says was drawn ("drawn: 13 of 38 nodes (left out: ...)")


def export_graph(
    graph: nx.DiGraph,
    out: Path,
    layout: str = "workflow",
    size: str | tuple[float, float] = "slide",
    dpi: int = 150,
    title: str = "",
    footer: str = "",
) -> Exported:
    """Write ``graph`` to ``out``: .png/.svg/.pdf image, .html interactive view, .graphml,
    .gexf, .csv edge list, or a folder of CSVs (a path without a suffix)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix and suffix not in EXPORT_FORMATS:
        raise ChallengeGraphError(f"{out}: export formats are {', '.join(EXPORT_FORMATS)}, or a folder for CSVs")
    if out.parent and not out.parent.exists():
        raise ChallengeGraphError(f"{out.parent}: no such folder")
    counts = (graph.number_of_nodes(), graph.number_of_edges())
    if suffix in IMAGE_FORMATS:
        info = render_image(graph, out, layout=layout, size=size, dpi=dpi, title=title, footer=footer)
        size_note = (
            f"{info.width_px}x{info.height_px} px"
            if suffix == ".png"  # vector images have no pixels
            else f"{info.width_px / dpi:.1f} x {info.height_px / dpi:.1f} in"
        )
        said = info.footer.split(" · ")[0]  # the footer's count of the nodes drawn
        return Exported([out], info.nodes, counts[1], size_note, said)
    if suffix == ".html":
        out.write_text(network_html(graph, title=title), encoding="utf-8")
        return Exported([out], *counts)
    return Exported(write_data(graph, out), *counts)

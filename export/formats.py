"""Graph data for other tools: GraphML and GEXF (Gephi, yEd, Cytoscape) and CSV (R, pandas).
CSV cells that a spreadsheet would run as formulas are neutralised (:mod:`graph.csv_safe`)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx

from challenge_graph.export.csv_safe import safe_row
from challenge_graph.graph.errors import ChallengeGraphError

__all__ = ["DATA_FORMATS", "write_data", "xml_text", "NODE_COLUMNS", "EDGE_COLUMNS"]

DATA_FORMATS = (".graphml", ".gexf", ".csv")
NODE_COLUMNS = ("key", "kind", "id", "label", "evidence", "quote", "citation")
EDGE_COLUMNS = ("source", "target", "relation", "weight", "source_kind", "source_label", "target_kind", "target_label")


def write_data(graph: nx.DiGraph, out: Path) -> list[Path]:
    """Write ``graph`` as GraphML, GEXF, one CSV edge list (``.csv``), or a folder holding
    ``nodes.csv`` and ``edges.csv`` (a path without a suffix); return the files written."""
    out = Path(out)
    plain = _plain(graph)
    suffix = out.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(plain, out)
        return [out]
    if suffix == ".gexf":
        nx.write_gexf(plain, out)
        return [out]
    if suffix == ".csv":
        _write_edges(plain, out)
        return [out]
    if suffix == "":
        out.mkdir(parents=True, exist_ok=True)
        _write_nodes(plain, out / "nodes.csv")
        _write_edges(plain, out / "edges.csv")
        return [out / "nodes.csv", out / "edges.csv"]
    raise ChallengeGraphError(f"{out}: data exports are {', '.join(DATA_FORMATS)} or a folder")


def xml_text(value: object) -> str:
    r"""``value`` as text XML 1.0 can hold: characters it forbids (most control characters, such
    as a vertical tab pasted into a quote) are removed, the rest of the text kept.

    >>> xml_text("line\x0bfeed, bell\x07, emoji \U0001F600")
    'linefeed, bell, emoji 😀'
    """
    return _NOT_XML.sub("", str(value))


_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _plain(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attributes are plain strings and integers, as GraphML and GEXF want, with
    only characters XML can hold."""
    plain = nx.DiGraph()
    for node, data in graph.nodes(data=True):
        attrs = {k: data.get(k, "") for k in NODE_COLUMNS[1:]}
        attrs.update({k: v for k, v in data.items() if k in ("position", "track", "parent")})
        plain.add_node(xml_text(node), **{k: (v if isinstance(v, int) else xml_text(v)) for k, v in attrs.items()})
    for src, dst, data in graph.edges(data=True):
        plain.add_edge(xml_text(src), xml_text(dst), relation=xml_text(data["relation"]), weight=int(data["weight"]))
    return plain


def _write_nodes(graph: nx.DiGraph, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(NODE_COLUMNS)
        for node, data in sorted(graph.nodes(data=True)):
            writer.writerow(safe_row([node, *(data.get(k, "") for k in NODE_COLUMNS[1:])]))


def _write_edges(graph: nx.DiGraph, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(EDGE_COLUMNS)
        for src, dst, data in sorted(graph.edges(data=True)):
            s, t = graph.nodes[src], graph.nodes[dst]
            writer.writerow(
                safe_row([src, dst, data["relation"], data["weight"], s["kind"], s["label"], t["kind"], t["label"]])
            )

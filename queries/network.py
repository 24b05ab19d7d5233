"""Neighbourhoods of the graph as networkx graphs, built from the ``network-*`` named queries.

Node keys are ``Kind:id`` (``Challenge:qm-robustness``); every node carries ``kind``, ``label``
(a name or a pseudonym, never anything else about a person) and ``evidence`` (quotes behind it).
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from challenge_graph.graph.errors import QueryError
from challenge_graph.graph.graph_data import code_id
from challenge_graph.graph.model import DEFAULT_STUDY, citation
from challenge_graph.graph.study_scope import scoped_id
from challenge_graph.queries.runner import get_query, resolve_params, run_query
from challenge_graph.store.base import GraphStore

__all__ = ["NEIGHBOURHOODS", "neighbourhood", "limit_nodes", "select", "KIND_ORDER"]

# what a neighbourhood is centred on -> (named query, its parameter)
NEIGHBOURHOODS = {
    "workflow": ("network-workflow", None),
    "stage": ("network-stage", "stage"),
    "challenge": ("network-challenge", "challenge"),
    "participant": ("network-participant", "participant"),
}
KIND_ORDER = ("Stage", "Challenge", "Fix", "Practice", "Participant", "Tool")
_KINDS = {k.lower(): k for k in KIND_ORDER}


def neighbourhood(store: GraphStore, centre: str = "workflow", key: str | None = None) -> nx.DiGraph:
    """The network around ``key`` (a stage, challenge or participant), or the whole workflow.

    Node evidence counts the participant quotes behind a code, participant or tool, and the
    codes attached to a stage. Rows are sorted first, so the graph is the same on every store.
    """
    name, param = NEIGHBOURHOODS[centre]
    query = get_query(name)
    values = resolve_params(store, query, {param: key} if param else {})
    rows = store.run_table(query.cypher_for(store.dialect), values, query.returns).as_dicts()
    rows.sort(key=lambda r: (r["relation"], r["source_kind"], r["source"], r["target_kind"], r["target"]))
    graph = nx.DiGraph(centre=centre, key=key or "")
    quotes: dict[str, int] = defaultdict(int)
    for row in rows:
        src = _add_node(graph, row["source_kind"], row["source"], row["source_name"])
        dst = _add_node(graph, row["target_kind"], row["target"], row["target_name"])
        graph.add_edge(src, dst, relation=row["relation"], weight=int(row["weight"]))
        weight = int(row["weight"])
        if row["relation"] == "REPORTED":  # participant -> code: quotes count for both
            quotes[src] += weight
            quotes[dst] += weight
        elif row["relation"] == "MENTIONS":  # quotes that mention the tool
            quotes[dst] += weight
        elif row["relation"] in ("AT_STAGE", "ADDRESSES") and centre == "workflow":
            quotes[src] = max(quotes[src], weight)  # the source's own quotes
    stages = (
        {r["id"]: r for r in run_query(store, "stage-overview").as_dicts()}
        if any(d["kind"] == "Stage" for _, d in graph.nodes(data=True))
        else {}
    )
    for node, data in graph.nodes(data=True):
        if data["kind"] == "Stage":
            info = stages.get(data["id"], {})
            data.update(
                position=info.get("position", 0),
                track=info.get("track", ""),
                parent=info.get("parent", ""),
                study=info.get("study", ""),
            )
        if data["kind"] == "Stage":  # codes (not stages) attached to it
            data["evidence"] = sum(1 for p in graph.predecessors(node) if graph.nodes[p]["kind"] != "Stage")
        else:
            data["evidence"] = quotes.get(node, 0)
    centre_node = f"{_KINDS.get(centre, '')}:{values.get(param)}"
    graph.graph["centre_node"] = centre_node if centre_node in graph else None
    graph.graph["name"] = graph.nodes[centre_node]["label"] if centre_node in graph else ""  # for titles
    return graph


def limit_nodes(graph: nx.DiGraph, max_nodes: int) -> nx.DiGraph:
    """Keep at most ``max_nodes`` nodes: the centre, then the nodes with most evidence (ties by
    label), each code with the stage it stands at, so that a kept code is drawn in its place.

    The result's ``graph.graph["total"]`` holds the number of nodes before the limit.
    """
    total = graph.number_of_nodes()
    centre = graph.graph.get("centre_node")
    ranked = sorted(graph.nodes, key=lambda n: (n != centre, -graph.nodes[n]["evidence"], graph.nodes[n]["label"], n))
    kept: dict[str, None] = {}
    for node in ranked:
        if len(kept) >= max_nodes:
            break
        if node in kept:
            continue
        needs = [
            node,
            *(
                s
                for s in graph.successors(node)
                if graph.nodes[node]["kind"] != "Stage" and graph.nodes[s]["kind"] == "Stage" and s not in kept
            ),
        ]
        if len(kept) + len(needs) <= max_nodes:
            kept.update(dict.fromkeys(needs))
    subgraph = graph.subgraph(kept).copy()
    subgraph.graph.update(graph.graph, total=total)
    return subgraph


def _add_node(graph: nx.DiGraph, kind: str, node_id: str, label: str) -> str:
    kind = _KINDS.get(kind.lower(), kind)
    key = f"{kind}:{node_id}"
    if key not in graph:
        graph.add_node(key, kind=kind, id=node_id, label=label or node_id)
    return key


def select(
    store: GraphStore,
    query: str | None = None,
    params: dict[str, str] | None = None,
    stage: str | None = None,
    challenge: str | None = None,
    participant: str | None = None,
) -> nx.DiGraph:
    """The subgraph an export shows: a named query's rows, a neighbourhood, or the workflow.

    A query returning ``source``/``target`` columns (the ``network-*`` queries) gives its edges;
    a query returning a ``code`` column selects those codes in the workflow network, with their
    stages and the fixes that address them.
    """
    chosen = [x for x in (query, stage, challenge, participant) if x]
    if len(chosen) > 1:
        raise QueryError("choose one of --query, --stage, --challenge, --participant")
    if stage:
        return neighbourhood(store, "stage", stage)
    if challenge:
        return neighbourhood(store, "challenge", challenge)
    if participant:
        return neighbourhood(store, "participant", participant)
    if not query:
        return neighbourhood(store)
    result = run_query(store, query, params or {})
    if {"source", "target"} <= set(result.columns):
        centre = next((c for c, (name, _) in NEIGHBOURHOODS.items() if name == query), None)
        if centre is None:
            raise QueryError(f"{query}: edge rows come from the network-* queries only")
        key = next(iter((params or {}).values()), None)
        return neighbourhood(store, centre, key)
    if "code" not in result.columns:
        raise QueryError(f"{query}: its rows have no 'code' (or source/target) column to select a subgraph")
    # a row names its code within its study (the study column, when the query has one)
    ids = {
        scoped_id(row.get("study") or DEFAULT_STUDY, code_id(row["code"])) for row in result.as_dicts() if row["code"]
    }
    local = {code_id(row["code"]) for row in result.as_dicts() if row["code"] and "study" not in result.columns}
    whole = neighbourhood(store)
    keep = {
        n
        for n, d in whole.nodes(data=True)
        if d["kind"] != "Stage" and (d["id"] in ids or d["id"].rsplit("/", 1)[-1] in local)
    }
    keep |= {f for n in keep for f in whole.predecessors(n) if whole.nodes[f]["kind"] == "Fix"}
    keep |= {s for n in keep for s in whole.successors(n) if whole.nodes[s]["kind"] == "Stage"}
    keep |= {
        p
        for s in list(keep)
        if whole.nodes[s]["kind"] == "Stage"
        for p in whole.successors(s)
        if whole.edges[s, p]["relation"] == "PART_OF"
    }
    selected = whole.subgraph(keep).copy()
    selected.graph.update(whole.graph, centre="query", key=query)
    return selected


def attach_quotes(store: GraphStore, graph: nx.DiGraph, limit: int = 160) -> None:
    """Give each challenge, fix and practice node its first participant quote (``quote``),
    shortened to ``limit`` characters, and where it stands (``citation``: ``Interview 11, p. 23``
    for a PDF, ``Interview 4, line 41`` for a text file). Exports leave quotes out unless asked."""
    codes = {d["id"]: n for n, d in graph.nodes(data=True) if d["kind"] in ("Challenge", "Fix", "Practice")}
    if not codes:
        return
    rows = store.run(
        "MATCH (:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c) WHERE c.id IN $ids "
        "MATCH (e)-[:FROM]->(i:Interview) "
        "RETURN c.id AS id, e.text AS text, i.title AS interview, e.line AS line, e.page AS page "
        "ORDER BY id, e.interview, e.position",
        {"ids": sorted(codes)},
    ).rows
    for code, text, interview, line, page in rows:
        node = graph.nodes[codes[code]]
        if "quote" not in node:
            node["quote"] = text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
            node["citation"] = ", ".join(part for part in (interview, citation(line, page)) if part)

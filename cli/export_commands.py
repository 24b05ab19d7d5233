"""The export command: images, HTML and data files of the graph or a part of it."""

from __future__ import annotations

from pathlib import Path

import click

from challenge_graph.cli.options import (
    db_option,
    friendly,
    neo4j_option,
    open_store,
    parse_params,
)
from challenge_graph.cli.output import printable
from challenge_graph.queries.runner import corpus_summary


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--query",
    "query_name",
    help="Named query whose rows select the subgraph (rows with a code column, or a network-* query).",
)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter of --query (repeatable).")
@click.option("--stage", help="The neighbourhood of a stage.")
@click.option("--challenge", help="The neighbourhood of a challenge.")
@click.option("--participant", help="The neighbourhood of a participant (by pseudonym).")
@click.option("--title", default=None, help="Title drawn on images and HTML [default: what is shown].")
@click.option(
    "--layout",
    type=click.Choice(["workflow", "force"]),
    default="workflow",
    show_default=True,
    help="workflow: stages left to right with their challenges and fixes; force: a spring layout.",
)
@click.option(
    "--max-nodes", default=150, show_default=True, help="Keep at most this many nodes (stages first, then by evidence)."
)
@click.option(
    "--size",
    type=click.Choice(["slide", "column", "page"]),
    default="slide",
    show_default=True,
    help="slide: 16:9, 13.3x7.5 in; column: 3.5x3 in; page: 7x5 in.",
)
@click.option("--dpi", default=150, show_default=True, help="Resolution of PNG images.")
@click.option("--with-quotes", is_flag=True, help="Put each code's first participant quote into the export.")
@db_option
@neo4j_option
@friendly
def export(
    out: Path,
    query_name: str | None,
    params: tuple[str, ...],
    stage: str | None,
    challenge: str | None,
    participant: str | None,
    title: str | None,
    layout: str,
    max_nodes: int,
    size: str,
    dpi: int,
    with_quotes: bool,
    db: str | None,
    neo4j: bool,
) -> None:
    """Export the graph (or a part of it) as PNG, SVG, PDF, HTML, GraphML, GEXF or CSV.

    The format follows OUT's suffix; a path without a suffix becomes a folder holding
    nodes.csv and edges.csv. Exports name participants by pseudonym only and leave quotes
    out unless --with-quotes.

    \b
        challenge-graph export talk.svg --stage "loss function"
        challenge-graph export corpus.png --title "Challenges by stage" --size slide
        challenge-graph export evaluation.graphml --query challenges-at-stage --param stage=evaluation
    """
    from challenge_graph.export.writer import export_graph
    from challenge_graph.queries.network import attach_quotes, limit_nodes, select

    store = open_store(db, neo4j)
    values = parse_params(params)
    graph = select(store, query=query_name, params=values, stage=stage, challenge=challenge, participant=participant)
    shown = limit_nodes(graph, max_nodes)
    if with_quotes:
        attach_quotes(store, shown)
    summary = corpus_summary(store)
    footer = (
        f"corpus: {summary['interviews']} interviews, {summary['participants']} participants"
        f" · showing {shown.number_of_nodes()} of {graph.number_of_nodes()} nodes · challenge-graph"
    )
    default_title = {
        "workflow": "Challenges at each stage and the fixes that address them",
    }.get(graph.graph.get("centre"), graph.graph.get("name") or stage or challenge or participant or query_name or "")
    from challenge_graph.graph.privacy import scan

    exported = [
        (f"{d['kind']} {d['label']!r}", f"{d['label']} {d.get('quote', '')}") for _, d in shown.nodes(data=True)
    ]
    for finding in scan(exported):  # a last look before a talk: flag, do not block
        click.echo(f"privacy: {finding.where}: {finding.kind} {finding.text!r}", err=True)
    result = export_graph(
        shown, out, layout=layout, size=size, dpi=dpi, title=default_title if title is None else title, footer=footer
    )
    for file in result.files:
        click.echo(f"wrote {printable(file)}")
    click.echo(
        f"{result.nodes} of {graph.number_of_nodes()} nodes, {result.edges} edges"
        + (f"; {result.note}" if result.note else "")
    )


COMMANDS = [export]

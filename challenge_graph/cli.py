"""The command line: a thin shell over loaders, graph, queries and the dashboard."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import click

from challenge_graph import method_commands, semantic_commands
from challenge_graph.graph.store import DEFAULT_TIMEOUT
from challenge_graph.loaders.ingest import Report, ingest, read_codebook
from challenge_graph.loaders.ingest import check as check_files
from challenge_graph.options import (
    codebook_option,
    db_option,
    db_path,
    format_option,
    friendly,
    neo4j_option,
    open_store,
)
from challenge_graph.output import printable, render
from challenge_graph.queries.runner import corpus_summary, list_queries, run_query

# bundled with the package (package data), wherever it is installed
EXAMPLES_DIR = Path(str(resources.files("challenge_graph.examples")))
DASHBOARD_APP = Path(str(resources.files("challenge_graph.dashboard") / "app.py"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="challenge-graph")
def cli() -> None:
    """Turn coded interview transcripts into a graph of ML engineering challenges.

    \b
        challenge-graph load examples/
        challenge-graph query challenges-at-stage --param stage="loss function"
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@codebook_option
@db_option
@neo4j_option
@click.option("--replace", is_flag=True, help="Start from an empty graph instead of adding to the loaded files.")
@click.option("--batch-size", type=int, default=None, help="Rows per Neo4j write transaction [default: 10000].")
@click.option("--autocode", is_flag=True, help="Add the codebook's suggestions for uncoded turns (coder auto).")
@click.option(
    "--semantic", is_flag=True, help="Keep excerpt vectors for `search` (extra semantic; later loads keep them)."
)
@click.option("--suggest", is_flag=True, help="Add codes of the nearest coded turns to uncoded ones (auto-semantic).")
@click.option("-s", "--silent", is_flag=True, help="Print only errors.")
@friendly
def load(
    paths: tuple[str, ...],
    codebook: str | None,
    db: str | None,
    neo4j: bool,
    replace: bool,
    batch_size: int | None,
    autocode: bool,
    semantic: bool,
    suggest: bool,
    silent: bool,
) -> None:
    """Load transcripts, Delve exports, protocols and codings files into the graph.

    Folders are read recursively. A file that cannot be read is listed and left out; the
    others load (exit code 2). The graph is rebuilt from every file loaded so far, so loading
    the same files again gives the same graph.

    \b
        challenge-graph load examples/
        challenge-graph load interviews/ --codebook my-codebook.yaml --replace
        challenge-graph load examples/ --neo4j
    """
    store = open_store(db, neo4j, batch_size)
    report = ingest(
        store, paths, codebook_path=codebook, replace=replace, autocode=autocode, semantic=semantic, suggest=suggest
    )
    if not silent:
        if report.written:
            click.echo(
                f"Loaded {len(report.loaded)} file(s) into {printable(store.describe())}: {_summary(report.counts)}"
            )
        else:
            click.echo(f"Nothing loaded; {printable(store.describe())} is unchanged.")
    _print_report(report, silent)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@codebook_option
@click.option(
    "--privacy", is_flag=True, help="Also flag likely names, e-mails, phone numbers, organisations and places."
)
@friendly
def check(paths: tuple[str, ...], codebook: str | None, privacy: bool) -> None:
    """Validate files and the codebook without loading: formats, codings, unknown codes.

    \b
        challenge-graph check examples/ --codebook codebooks/ml-engineering.yaml
        challenge-graph check interviews/ --privacy
    """
    _, book = read_codebook(codebook)
    report, graph = check_files(paths, book)
    if privacy:
        from challenge_graph.graph.privacy import scan

        sources = {r["id"]: r["source"] for r in graph.node_rows("Interview")}
        items = [
            (f"{sources.get(e['interview'], e['interview'])}:{e['line']}", e["text"])
            for e in graph.node_rows("Excerpt")
        ]
        items += [
            (f"participant {p['pseudonym']!r}", f"{p['pseudonym']} {p['attributes']}")
            for p in graph.node_rows("Participant")
        ]
        findings = scan(items)
        for f in findings:
            click.echo(f"privacy: {printable(f.where)}: {f.kind} {f.text!r}")
        click.echo(
            f"privacy: {len(findings)} possible identifier(s) to review" if findings else "privacy: nothing flagged"
        )
    for line in report.files:
        click.echo(f"ok  {printable(line)}")
    click.echo(f"Would load: {_summary(report.counts)}")
    for code in report.implied:
        click.echo(
            f"note: fix for {printable(code)}, which is never coded itself: created as an implied challenge", err=True
        )
    _print_report(report, silent=False)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the suggested codings files (one per transcript with suggestions).",
)
@codebook_option
@friendly
def autocode(paths: tuple[str, ...], out: Path, codebook: str | None) -> None:
    """Suggest codings for uncoded turns from the codebook's autocode rules, as codings files
    (coder auto) to review, edit and load.

    \b
        challenge-graph autocode examples/transcripts --out suggestions/
        challenge-graph load examples/transcripts suggestions/
    """
    from challenge_graph.graph.autocode import AUTO, suggest, unique_quote
    from challenge_graph.graph.model import Interview
    from challenge_graph.loaders import load_paths
    from challenge_graph.loaders.codings_file import dump

    _, book = read_codebook(codebook)
    result = load_paths(paths)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for source, record in result.records:
        if not isinstance(record, Interview):
            continue
        found = suggest(record, book)
        if not found:
            continue
        items = [(s.code, unique_quote(record, s), s.speaker) for s in found]
        target = out / f"{Path(record.source).stem}.{AUTO}.codings.yaml"
        target.write_text(
            dump(
                record.source,
                AUTO,
                items,
                comment=f"Suggested by `challenge-graph autocode` from {book.name}'s rules: "
                "review, edit or delete, then load.",
            ),
            encoding="utf-8",
        )
        total += len(items)
        click.echo(f"{printable(target)}: {len(items)} suggestion(s) for {printable(source.name)}")
    click.echo(f"{total} suggestion(s) in all")
    for error in result.rejected:
        click.echo(f"  rejected: {printable(error)}", err=True)
    sys.exit(2 if result.rejected else 0)


@cli.command(name="queries")
def queries_command() -> None:
    """List the named queries and their parameters.

    \b
        challenge-graph queries
    """
    for query in list_queries():
        params = " ".join(
            f"--param {p.name}={p.type}" + (f" (default {p.default})" if p.default else "") for p in query.params
        )
        click.echo(f"{query.name}  {params}".rstrip())
        click.echo(f"    {query.description}")


@cli.command()
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@format_option
@db_option
@neo4j_option
@friendly
def query(name: str, params: tuple[str, ...], fmt: str, db: str | None, neo4j: bool) -> None:
    """Run a named query.

    \b
        challenge-graph query challenges-at-stage --param stage="loss function" --format json
    """
    click.echo(render(run_query(open_store(db, neo4j), name, _params(params)), fmt))


@cli.command()
@click.argument("statement")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A $parameter for the query (text).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    envvar="CHALLENGE_GRAPH_QUERY_TIMEOUT",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop the query after this many seconds.",
)
@format_option
@db_option
@neo4j_option
@friendly
def cypher(statement: str, params: tuple[str, ...], timeout: float, fmt: str, db: str | None, neo4j: bool) -> None:
    """Run read-only Cypher on the graph: read clauses only (MATCH, OPTIONAL MATCH, WHERE,
    WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION, CALL of catalogue functions); anything
    else is refused before it reaches the database, and the query stops after --timeout.

    \b
        challenge-graph cypher "MATCH (c:Challenge) RETURN c.code AS code ORDER BY code"
    """
    from challenge_graph.graph.cypher import dialect_warnings

    store = open_store(db, neo4j)
    for warning in dialect_warnings(statement, store.dialect):
        click.echo(f"warning: {warning}", err=True)
    click.echo(render(store.run_analyst(statement, _params(params), timeout=timeout), fmt))


@cli.command()
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
    from challenge_graph.graph.drawing.export import export_graph
    from challenge_graph.queries.network import attach_quotes, limit_nodes, select

    store = open_store(db, neo4j)
    values = _params(params)
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


def _params(items: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--param")
        values[key.strip()] = value
    return values


@cli.command()
@db_option
@neo4j_option
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only).")
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0, min_open=True),
    envvar="CHALLENGE_GRAPH_QUERY_TIMEOUT",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a Cypher console query may run.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows the Cypher console shows at most.",
)
@friendly
def dashboard(db: str | None, neo4j: bool, port: int, host: str, query_timeout: float, max_rows: int) -> None:
    """Open the dashboard on the graph.

    \b
        challenge-graph dashboard --port 8502
        challenge-graph dashboard --neo4j --query-timeout 10
    """
    if neo4j:
        open_store(db, neo4j).close()  # fail here, clearly, rather than in the browser
    else:
        open_store(db)  # a --db that is a file fails here
    _serve_dashboard(
        db_path(db), host, port, neo4j, ["--query-timeout", f"{query_timeout:g}", "--max-rows", str(max_rows)]
    )


@cli.command()
@db_option
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--no-serve", "--no-dashboard", "no_dashboard", is_flag=True, help="Load the examples only.")
@friendly
def demo(db: str | None, port: int, host: str, no_dashboard: bool) -> None:
    """Load the bundled example corpus (examples/) and open the dashboard.

    \b
        challenge-graph demo
    """
    store = open_store(db)
    report = ingest(store, [EXAMPLES_DIR])
    click.echo(f"Loaded the examples into {printable(store.describe())}: {_summary(report.counts)}")
    store.close()
    if not no_dashboard:
        _serve_dashboard(db_path(db), host, port)


def _serve_dashboard(db: Path, host: str, port: int, neo4j: bool = False, extra: list[str] | None = None) -> None:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.maxUploadSize",
        "100",  # MB per upload
        "--",
        *(["--neo4j"] if neo4j else ["--db", str(db.resolve())]),
        *(extra or []),
    ]
    click.echo(f"Dashboard on http://{host}:{port}  (Ctrl-C to stop)")
    sys.exit(_run_forwarding_signals(command))


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
GRACE_SECONDS = 10  # after a forwarded signal, before the child is killed


def _run_forwarding_signals(command: list[str]) -> int:
    """Run ``command`` as a child; SIGTERM, SIGHUP and SIGINT sent to this process reach the
    child too, and a child still running ``GRACE_SECONDS`` later is killed: stopping the
    command never leaves a server behind."""
    child = subprocess.Popen(command)

    def forward(signum: int, _frame: object) -> None:
        if child.poll() is None:
            child.send_signal(signum)
            timer = threading.Timer(GRACE_SECONDS, lambda: child.poll() is None and child.kill())
            timer.daemon = True
            timer.start()

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
    return 0 if code in (-signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP) else code


def _summary(counts: dict[str, int]) -> str:
    labels = ("Interview", "Participant", "Excerpt", "Challenge", "Fix", "Practice", "Tool", "Protocol")
    names = ("interviews", "participants", "excerpts", "challenges", "fixes", "practices", "tools", "protocols")
    return ", ".join(f"{counts.get(label, 0)} {name}" for label, name in zip(labels, names))


def _print_report(report: Report, silent: bool) -> None:
    """Print what a load or check found; every name is escaped (:func:`printable`), so a file
    name holding a newline cannot forge report lines."""
    if not silent:
        for note in report.notes:
            click.echo(f"note: {printable(note)}", err=True)
        if report.skipped:
            click.echo(
                f"note: skipped {len(report.skipped)} file(s) no loader reads: "
                + ", ".join(printable(Path(s).name) for s in report.skipped),
                err=True,
            )
        if report.unknown_codes:
            click.echo("Unknown codes (loaded as challenges; add them to the codebook):", err=True)
            for code, sources in report.unknown_codes.items():
                click.echo(f"  {printable(code)}  ({printable(', '.join(sources))})", err=True)
    if report.rejected:
        click.echo(f"Rejected {len(report.rejected)}:", err=True)
        for error in report.rejected:
            click.echo(f"  {printable(error)}", err=True)


for command in method_commands.COMMANDS + semantic_commands.COMMANDS:  # each group in its own module
    cli.add_command(command)


def main() -> None:
    cli()

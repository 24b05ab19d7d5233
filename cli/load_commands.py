"""Commands that read files: load, check, autocode."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from challenge_graph.cli.options import (
    EXAMPLES_DIR,
    codebook_among,
    codebook_option,
    db_option,
    friendly,
    neo4j_option,
    open_store,
    summary,
)
from challenge_graph.cli.output import printable
from challenge_graph.cli.progress import terminal_progress
from challenge_graph.pipeline.ingest import Report, ingest, read_codebook
from challenge_graph.pipeline.ingest import check as check_files


@click.command()
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
    """Load transcripts, Delve exports, REFI-QDA projects, protocols and codings files into the graph.

    Folders are read recursively. A file that cannot be read is listed and left out; the
    others load (exit code 2). The graph is rebuilt from every file loaded so far, so loading
    the same files again gives the same graph. On a terminal, each stage (reading, building,
    writing, encoding) shows its count, rate and time left on standard error.

    \b
        challenge-graph load examples/
        challenge-graph load interviews/ --codebook my-codebook.yaml --replace
        challenge-graph load codebook.qdc interviews/
        challenge-graph load examples/ --neo4j
    """
    paths, codebook = codebook_among(_bundled_examples(paths, silent), codebook, silent)
    store = open_store(db, neo4j, batch_size)
    progress = terminal_progress(silent)
    try:
        report = ingest(
            store,
            paths,
            codebook_path=codebook,
            replace=replace,
            autocode=autocode,
            semantic=semantic,
            suggest=suggest,
            progress=progress,
        )
    finally:
        if progress:
            progress.close()
    if not silent:
        if report.written:
            click.echo(
                f"Loaded {len(report.loaded)} file(s) into {printable(store.describe())}: {summary(report.counts)}"
            )
        else:
            click.echo(f"Nothing loaded; {printable(store.describe())} is unchanged.")
    _print_report(report, silent)
    sys.exit(report.exit_code)


def _bundled_examples(paths: tuple[str, ...], silent: bool) -> tuple[str, ...]:
    """``examples`` (or ``examples/``) where no such folder is here means the example corpus
    bundled with the package: an installed package has no clone's examples/ folder."""
    out = []
    for path in paths:
        if Path(path).parts == ("examples",) and not Path(path).exists():
            if not silent:
                click.echo("note: no examples/ folder here: loading the bundled examples", err=True)
            path = str(EXAMPLES_DIR)
        out.append(path)
    return tuple(out)


@click.command()
@click.argument("dest", default="examples", type=click.Path(path_type=Path))
@friendly
def examples(dest: Path) -> None:
    """Copy the bundled example corpus (transcripts, Delve exports, a protocol, codings files and
    a participants sheet) into DEST, to look at, edit and load.

    \b
        challenge-graph examples my-examples/
        challenge-graph load my-examples/
    """
    if dest.exists():
        raise click.ClickException(f"{printable(dest)} already exists: name a new folder")
    shutil.copytree(EXAMPLES_DIR, dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    click.echo(f"Copied {len(files)} example files into {printable(dest)}")
    click.echo(f"Load them with: challenge-graph load {printable(dest)}")


@click.command()
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
    paths, codebook = codebook_among(paths, codebook)
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
    click.echo(f"Would load: {summary(report.counts)}")
    for code, other, why in report.duplicates:
        click.echo(f"note: {printable(code)} and {printable(other)} are likely the same code: {why}", err=True)
    for code in report.implied:
        click.echo(
            f"note: fix for {printable(code)}, which is never coded itself: created as an implied challenge", err=True
        )
    _print_report(report, silent=False)
    sys.exit(report.exit_code)


@click.command()
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
        if report.ignored:
            left_out = ", ".join(f"{printable(code)} ({n})" for code, n in report.ignored.items())
            click.echo(f"note: codings left out, their codes are of kind ignore in the codebook: {left_out}", err=True)
    if report.rejected:
        click.echo(f"Rejected {len(report.rejected)}:", err=True)
        for error in report.rejected:
            click.echo(f"  {printable(error)}", err=True)


COMMANDS = [load, check, autocode, examples]

"""Commands of the optional extra ``semantic``: search by meaning, suggest codes by neighbours."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from challenge_graph.cli.options import codebook_option, db_option, format_option, friendly, neo4j_option, open_store
from challenge_graph.cli.output import printable, render


@click.command()
@click.argument("text")
@click.option("--code", help="Only quotes a human coded with this code (code or name).")
@click.option("--stage", help="Only quotes coded with a code at this stage or its sub-stages (name or id).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="Quotes to show.")
@click.option("--like", "like", is_flag=True, help="TEXT is an excerpt id: quotes like that quote (itself left out).")
@format_option
@db_option
@neo4j_option
@friendly
def search(
    text: str, code: str | None, stage: str | None, limit: int, like: bool, fmt: str, db: str | None, neo4j: bool
) -> None:
    """Participant quotes nearest in meaning to TEXT, across interviews: speaker, interview,
    line, human codes and score (cosine similarity). Needs the extra semantic and a load with
    --semantic (offline: the model is installed with the package).

    \b
        challenge-graph search "the labels were inconsistent between annotators"
        challenge-graph search "loss exploded" --stage "loss function" --limit 5 --format json
    """
    from challenge_graph.semantic.load import encoder
    from challenge_graph.semantic.search import more_like
    from challenge_graph.semantic.search import search as run_search
    from challenge_graph.store.base import QueryResult

    store = open_store(db, neo4j)
    if like:
        hits = more_like(store, text, limit, code, stage)
    else:
        hits = run_search(store, encoder(), text, limit, code, stage)
    columns = ["score", "speaker", "interview", "line", "page", "codes", "quote", "excerpt"]
    rows = [(h.score, h.speaker, h.interview, h.line, h.page, ", ".join(h.codes), h.quote, h.excerpt) for h in hits]
    click.echo(render(QueryResult(columns, rows), fmt))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the suggested codings files (one per transcript with suggestions).",
)
@click.option(
    "--threshold", default=None, type=click.FloatRange(0, 1), help="Share of the neighbours' votes a code needs [0.35]."
)
@codebook_option
@db_option
@neo4j_option
@friendly
def suggest(
    paths: tuple[str, ...], out: Path, threshold: float | None, codebook: str | None, db: str | None, neo4j: bool
) -> None:
    """Suggest codes for the uncoded participant turns of PATHS from the study's own codings:
    the codes of the nearest coded turns (a vote of the 10 nearest, with a threshold), among
    the loaded graph's coded turns and those of PATHS. Written as codings files (coder
    auto-semantic) to review, edit and load; they are never counted as evidence.

    \b
        challenge-graph suggest interviews/new/ --out suggestions/
        challenge-graph load interviews/new/ suggestions/
    """
    from challenge_graph.loaders import read_sources
    from challenge_graph.pipeline.ingest import check_sources, read_codebook
    from challenge_graph.semantic.suggest_files import write_suggestions

    store = open_store(db, neo4j)
    stored = [] if store.is_empty() else store.sources()
    _, book = read_codebook(codebook, store if stored else None)
    new, rejected, _ = read_sources(_existing(paths))
    names = {s.name for s in new}
    report, graph = check_sources([s for s in stored if s.name not in names] + new, book)
    rejected += report.rejected
    # interviews name their transcript by file name (as codings files do), wherever it was read from
    written = write_suggestions(store, graph, {Path(n).name for n in names}, out, threshold)
    total = 0
    for target, source, count in written:
        total += count
        click.echo(f"{printable(target)}: {count} suggestion(s) for {printable(source)}")
    click.echo(f"{total} suggestion(s) in all")
    for error in rejected:
        click.echo(f"  rejected: {printable(error)}", err=True)
    sys.exit(2 if rejected else 0)


def _existing(paths: tuple[str, ...]) -> list[Path]:
    from challenge_graph.graph.errors import ChallengeGraphError

    for path in paths:
        if not Path(path).exists():
            raise ChallengeGraphError(f"{path}: no such file or folder")
    return [Path(p) for p in paths]


COMMANDS = (search, suggest)

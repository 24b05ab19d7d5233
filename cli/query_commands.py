"""Commands that ask the graph: queries, query, cypher."""

from __future__ import annotations

import click

from challenge_graph.cli.options import (
    db_option,
    format_option,
    friendly,
    memory_option,
    neo4j_option,
    open_store,
    parse_params,
    timeout_option,
)
from challenge_graph.cli.output import render
from challenge_graph.queries.runner import list_queries, run_query
from challenge_graph.store.sandbox import QueryLimits, run_isolated

DEFAULT_CLI_ROWS = 100_000  # rows `cypher` prints at most unless --max-rows says otherwise


@click.command(name="queries")
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


class _NamedQueryCommand(click.Command):
    """``query --help`` ends with the named queries and their parameters."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Named queries (challenge-graph queries describes each)"):
            formatter.write_dl(
                [(q.name, " ".join(f"{p.name}={p.type}" for p in q.params) or "-") for q in list_queries()]
            )


@click.command(cls=_NamedQueryCommand)
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
    click.echo(render(run_query(open_store(db, neo4j), name, parse_params(params)), fmt))


@click.command()
@click.argument("statement")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A $parameter for the query (text).")
@timeout_option("--timeout", "Stop the query after this many seconds (parsing included).")
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_CLI_ROWS,
    show_default=True,
    help="Print at most this many rows (a note says when there were more).",
)
@memory_option
@format_option
@db_option
@neo4j_option
@friendly
def cypher(
    statement: str,
    params: tuple[str, ...],
    timeout: float,
    max_rows: int,
    max_memory: int,
    fmt: str,
    db: str | None,
    neo4j: bool,
) -> None:
    """Run read-only Cypher on the graph: read clauses only (MATCH, OPTIONAL MATCH, WHERE,
    WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION, CALL of catalogue functions); anything
    else is refused before it reaches the database. The query runs in a process of its own,
    stopped after --timeout seconds or past --max-memory, whichever comes first.

    \b
        challenge-graph cypher "MATCH (c:Challenge) RETURN c.code AS code ORDER BY code"
    """
    from challenge_graph.store.cypher import dialect_warnings

    store = open_store(db, neo4j)
    for warning in dialect_warnings(statement, store.dialect):
        click.echo(f"warning: {warning}", err=True)
    limits = QueryLimits(timeout=timeout, memory=max_memory, max_rows=max_rows)
    result = run_isolated(store, statement, parse_params(params), limits)
    click.echo(render(result, fmt))
    if result.truncated:
        click.echo(f"note: showing the first {max_rows:,} rows; raise --max-rows to see more", err=True)


COMMANDS = [queries_command, query, cypher]

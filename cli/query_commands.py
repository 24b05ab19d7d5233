"""Commands that ask the graph: queries, query, cypher."""

from __future__ import annotations

import click

from challenge_graph.cli.options import (
    db_option,
    format_option,
    friendly,
    neo4j_option,
    open_store,
    parse_params,
)
from challenge_graph.cli.output import render
from challenge_graph.queries.runner import list_queries, run_query
from challenge_graph.store.base import DEFAULT_TIMEOUT


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
    from challenge_graph.store.cypher import dialect_warnings

    store = open_store(db, neo4j)
    for warning in dialect_warnings(statement, store.dialect):
        click.echo(f"warning: {warning}", err=True)
    click.echo(render(store.run_analyst(statement, parse_params(params), timeout=timeout), fmt))


COMMANDS = [queries_command, query, cypher]

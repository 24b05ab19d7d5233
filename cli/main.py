"""The command line: a thin shell over the load pipeline, queries, exports and the dashboard.

Each group of commands lives in its own module and is added to :func:`cli` here.
"""

from __future__ import annotations

import click

from challenge_graph.cli import (
    crosswalk_commands,
    export_commands,
    load_commands,
    method_commands,
    query_commands,
    semantic_commands,
    serve_commands,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="challenge-graph")
def cli() -> None:
    """Turn coded interview transcripts into a graph of ML engineering challenges.

    \b
        challenge-graph load examples/
        challenge-graph query challenges-at-stage --param stage="loss function"
    """


for module in (
    load_commands,
    query_commands,
    export_commands,
    serve_commands,
    method_commands,
    semantic_commands,
    crosswalk_commands,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli()

"""The command line: a thin shell over the load pipeline, queries, exports and the dashboard.

Each group of commands lives in its own module, named in :data:`COMMAND_MODULES`; a module is
imported when one of its commands runs (or help lists them), so ``challenge-graph query`` does
not pay for the load pipeline's imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

# command -> the module of challenge_graph.cli that defines it (in its COMMANDS)
COMMAND_MODULES = {
    "load": "load_commands",
    "check": "load_commands",
    "autocode": "load_commands",
    "examples": "load_commands",
    "queries": "query_commands",
    "query": "query_commands",
    "cypher": "query_commands",
    "export": "export_commands",
    "dashboard": "serve_commands",
    "demo": "serve_commands",
    "agreement": "method_commands",
    "saturation": "method_commands",
    "cooccurrence": "method_commands",
    "matrix": "method_commands",
    "search": "semantic_commands",
    "suggest": "semantic_commands",
    "crosswalk": "crosswalk_commands",
}


class LazyCommands(MutableMapping):
    """The group's commands by name, each imported from its module on first use."""

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules, self._loaded = dict(modules), {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module = importlib.import_module(f"challenge_graph.cli.{self._modules[name]}")
            for command in module.COMMANDS:
                self._loaded.setdefault(command.name, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._modules.setdefault(name, "")
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._modules.pop(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="challenge-graph")
def cli() -> None:
    """Turn coded interview transcripts into a graph of ML engineering challenges.

    \b
        challenge-graph load examples/
        challenge-graph query challenges-at-stage --param stage="loss function"
    """


cli.commands = LazyCommands(COMMAND_MODULES)


def main() -> None:
    cli()

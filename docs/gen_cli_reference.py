"""Write docs/cli.md from the commands' own ``--help``.

    python3 docs/gen_cli_reference.py           # rewrite docs/cli.md
    python3 docs/gen_cli_reference.py --check   # exit 1 if docs/cli.md is stale

Each command's help is rendered by click at a fixed width, so the page is the same on every
machine; tests/test_docs.py checks it against a fresh render.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click

CLI_MD = Path(__file__).resolve().parent / "cli.md"
WIDTH = 100
PROGRAM = "challenge-graph"
REGENERATE = "python3 docs/gen_cli_reference.py"

HEADER = f"""# Command reference

<!-- Generated from the commands' --help by docs/gen_cli_reference.py: do not edit by hand.
     Regenerate with: {REGENERATE} -->

This page is generated from each command's `--help`: after changing a command, run
`{REGENERATE}` to regenerate it. The same text is printed by `{PROGRAM} COMMAND --help`.
"""


def _help(command: click.Command, name: str, parent: click.Context | None = None) -> str:
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    with click.Context(command, info_name=name, parent=parent, **settings) as ctx:
        return command.get_help(ctx)


def _block(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return "```text\n" + "\n".join(lines).strip("\n") + "\n```\n"


def render() -> str:
    """The page as it should be now."""
    from challenge_graph.cli import cli

    parts = [HEADER, f"## {PROGRAM}\n", _block(_help(cli, PROGRAM))]
    settings = {**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    with click.Context(cli, info_name=PROGRAM, **settings) as root:
        for name in sorted(cli.list_commands(root)):
            command = cli.get_command(root, name)
            if command is None or command.hidden:
                continue
            parts.append(f"## {PROGRAM} {name}\n")
            parts.append(_block(_help(command, name, parent=root)))
            if isinstance(command, click.Group):  # a group's commands, each with its own help
                with click.Context(command, info_name=name, parent=root, **settings) as group:
                    for sub in sorted(command.list_commands(group)):
                        subcommand = command.get_command(group, sub)
                        if subcommand is not None and not subcommand.hidden:
                            parts.append(f"### {PROGRAM} {name} {sub}\n")
                            parts.append(_block(_help(subcommand, sub, parent=group)))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/cli.md from the commands' --help.")
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is not what would be written")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = CLI_MD.read_text(encoding="utf-8") if CLI_MD.exists() else ""
        if current != text:
            print(f"{CLI_MD} is stale: run {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{CLI_MD} is up to date")
        return 0
    CLI_MD.write_text(text, encoding="utf-8")
    print(f"wrote {CLI_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

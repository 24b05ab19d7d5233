"""The ``challenge-graph`` command line."""

from challenge_graph.cli.main import cli, main

__all__ = ["cli", "main"]

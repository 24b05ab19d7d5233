"""What the commands share: where the store is, the common options, one-line errors."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from challenge_graph.cli.output import FORMATS, printable
from challenge_graph.graph.errors import ChallengeGraphError

if TYPE_CHECKING:  # the stores are imported when one is opened, not when a command starts
    from challenge_graph.store.base import GraphStore

__all__ = [
    "DEFAULT_DB",
    "EXAMPLES_DIR",
    "db_path",
    "open_store",
    "friendly",
    "db_option",
    "neo4j_option",
    "codebook_option",
    "codebook_among",
    "format_option",
    "parse_params",
    "memory_option",
    "timeout_option",
    "parse_size",
    "summary",
]

DEFAULT_DB = "challenge-graph.db"
# the example corpus, bundled with the package (package data) wherever it is installed
EXAMPLES_DIR = Path(str(resources.files("challenge_graph.examples")))


def db_path(db: str | None) -> Path:
    return Path(db or os.environ.get("CHALLENGE_GRAPH_DB") or DEFAULT_DB)


def open_store(db: str | None, neo4j: bool = False, batch_size: int | None = None) -> GraphStore:
    """The embedded store at ``--db`` (or ``$CHALLENGE_GRAPH_DB``, or ./challenge-graph.db), or
    with ``--neo4j`` the server that ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
    ``NEO4J_DATABASE`` name."""
    if not neo4j:
        from challenge_graph.store.ladybug_store import LadybugStore

        return LadybugStore(db_path(db))
    from challenge_graph.store.neo4j_store import DEFAULT_BATCH_SIZE, Neo4jStore

    uri = os.environ.get("NEO4J_URI")
    if not uri:
        raise ChallengeGraphError(
            "--neo4j needs NEO4J_URI (e.g. bolt://localhost:7687), NEO4J_USERNAME and NEO4J_PASSWORD "
            "in the environment (see .env.example)"
        )
    return Neo4jStore.connect(
        uri,
        os.environ.get("NEO4J_USERNAME", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", ""),
        os.environ.get("NEO4J_DATABASE", "neo4j"),
        batch_size or DEFAULT_BATCH_SIZE,
    )


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into one-line messages with exit code 1, no traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ChallengeGraphError as e:
            raise click.ClickException(printable(str(e))) from e

    return wrapper


db_option = click.option(
    "--db", metavar="DIR", help="Embedded database folder [default: $CHALLENGE_GRAPH_DB or ./challenge-graph.db]."
)
neo4j_option = click.option(
    "--neo4j", is_flag=True, help="Use the Neo4j server named by NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD."
)
codebook_option = click.option(
    "--codebook",
    type=click.Path(dir_okay=False),
    help="Codebook: YAML, or a REFI-QDA codebook (.qdc) [default: the last one loaded, else "
    "codebooks/ml-engineering.yaml]. A .qdc given among PATHS is the codebook too.",
)


def codebook_among(
    paths: tuple[str, ...], codebook: str | None, silent: bool = False
) -> tuple[tuple[str, ...], str | None]:
    """Take a REFI-QDA codebook (``.qdc``), or a project holding codes and no coding, given
    among ``paths`` as the codebook: the paths left, and the codebook to use. Such a project's
    text sources still load (as uncoded interviews)."""
    books, keep = [], []
    for path in paths:
        if path.casefold().endswith(".qdc"):
            books.append(path)
            continue
        found = _codebook_project(path)
        if found is not None:
            codes, has_sources = found
            books.append(path)
            if not silent:
                click.echo(f"note: {path} holds {codes} codes and no coding: read as the codebook", err=True)
            if not has_sources:
                continue
        keep.append(path)
    if not books:
        return paths, codebook
    if len(books) > 1 or codebook:
        raise click.UsageError(f"one codebook at a time: {', '.join([*([codebook] if codebook else []), *books])}")
    return tuple(keep), books[0]


def _codebook_project(path: str) -> tuple[int, bool] | None:
    """For a REFI-QDA project (``.qdpx``, or an unpacked ``.qde``) holding codes and no coding,
    how many codes and whether it has text sources; None for anything else (a broken project is
    the loader's to report)."""
    from challenge_graph.graph.errors import LoaderError
    from challenge_graph.loaders.refi_codebook import code_count, has_text_sources, holds_codes_only, project_xml

    suffix = Path(path).suffix.casefold()
    if suffix not in (".qdpx", ".qde") or not Path(path).is_file():
        return None
    try:
        data = Path(path).read_bytes()
        xml = project_xml(data, path) if suffix == ".qdpx" else data
    except (OSError, LoaderError):
        return None
    if not holds_codes_only(xml):
        return None
    return code_count(xml), has_text_sources(xml)


format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


def parse_params(items: tuple[str, ...]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dict."""
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--param")
        values[key.strip()] = value
    return values


# what a load's summary counts: label -> (one, several)
_SUMMARY_NAMES = {
    "Interview": ("interview", "interviews"),
    "Participant": ("participant", "participants"),
    "Excerpt": ("excerpt", "excerpts"),
    "Challenge": ("challenge", "challenges"),
    "Fix": ("fix", "fixes"),
    "Practice": ("practice", "practices"),
    "Tool": ("tool", "tools"),
    "Protocol": ("protocol", "protocols"),
}


def summary(counts: dict[str, int]) -> str:
    """A load's counts in words, each name in the number its count asks for.

    >>> summary({"Interview": 4, "Participant": 1, "Fix": 0, "Protocol": 1})[:60]
    '4 interviews, 1 participant, 0 excerpts, 0 challenges, 0 fix'
    """
    parts = []
    for label, (one, several) in _SUMMARY_NAMES.items():
        count = counts.get(label, 0)
        parts.append(f"{count} {one if count == 1 else several}")
    return ", ".join(parts)


def parse_size(text: str) -> int:
    """A size in bytes from ``1G``, ``1.5GB``, ``512M``, ``300MB`` or a plain number of bytes.

    >>> parse_size("1G"), parse_size("512 MB"), parse_size("1048576")
    (1073741824, 536870912, 1048576)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)I?B?\s*", text.upper())
    if not match:
        raise ValueError(f"{text!r} is not a size (for example 1G or 512M)")
    number, unit = float(match.group(1)), match.group(2)
    return int(number * 1024 ** " KMGT".index(unit or " "))


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            size = parse_size(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)
        if size < 64 << 20:
            self.fail("at least 64M: the engine needs that much to open the graph", param, ctx)
        return size


def memory_option(func: Callable[..., Any]) -> Callable[..., Any]:
    from challenge_graph.store.sandbox import DEFAULT_MEMORY

    return click.option(
        "--max-memory",
        "max_memory",
        type=_Size(),
        envvar="CHALLENGE_GRAPH_QUERY_MEMORY",
        default=f"{DEFAULT_MEMORY >> 20}M",
        show_default=True,
        help="Memory an analyst's query may use (1G, 512M); past it the query is stopped.",
    )(func)


def timeout_option(name: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The seconds an analyst's query may run, as option ``name`` (CHALLENGE_GRAPH_QUERY_TIMEOUT)."""
    from challenge_graph.store.base import DEFAULT_TIMEOUT, MAX_TIMEOUT

    return click.option(
        name,
        type=click.FloatRange(min=0, min_open=True, max=MAX_TIMEOUT),
        envvar="CHALLENGE_GRAPH_QUERY_TIMEOUT",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help=help,
    )

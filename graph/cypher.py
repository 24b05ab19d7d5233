"""Checks on analysts' Cypher: refuse writes, warn where the dialects differ silently."""
from __future__ import annotations

import re

from graph.errors import ReadOnlyError

__all__ = ["check_read_only", "dialect_warnings", "strip_literals"]

_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"(?<![.\w$])(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|ALTER|COPY|INSTALL|ATTACH|"
    r"LOAD\s+(?:CSV|FROM|EXTENSION)|CALL\s+(?:dbms|db\.create|apoc\.(?:create|merge|refactor|periodic)))\b",
    re.IGNORECASE,
)
_LIST_INDEX = re.compile(r"[\w)\]]\s*\[\s*-?\d+\s*\]")


def strip_literals(cypher: str) -> str:
    """Blank out strings, quoted names and comments, so keywords inside them do not count.

    >>> strip_literals("MATCH (n {name: 'CREATE'}) // SET")
    'MATCH (n {name: ...}) '
    """
    return _LITERALS.sub(lambda m: "..." if m.group(0)[0] in "'\"`" else "", cypher)


def check_read_only(cypher: str) -> None:
    """Raise :class:`ReadOnlyError` if ``cypher`` would write or administer the database.

    >>> check_read_only("MATCH (c:Challenge) RETURN c.name")
    >>> check_read_only("MATCH (c) DETACH DELETE c")
    Traceback (most recent call last):
    ...
    graph.errors.ReadOnlyError: read-only: DETACH is not allowed here; queries cannot change the graph (load files with `challenge-graph load`)
    """
    match = _WRITES.search(strip_literals(cypher))
    if match:
        keyword = " ".join(match.group(1).split()).upper()
        raise ReadOnlyError(
            f"read-only: {keyword} is not allowed here; queries cannot change the graph "
            "(load files with `challenge-graph load`)"
        )


def dialect_warnings(cypher: str, dialect: str) -> list[str]:
    """Constructs whose meaning differs silently between LadybugDB and Neo4j.

    >>> dialect_warnings("MATCH (n) RETURN labels(n)[0]", "ladybug")[0][:40]
    'labels(n) returns the label as a string '
    """
    text = strip_literals(cypher)
    warnings = []
    if dialect == "ladybug":
        if re.search(r"\blabels\s*\(", text, re.IGNORECASE):
            warnings.append(
                "labels(n) returns the label as a string on LadybugDB and labels(n)[0] is '' "
                "there: use label(n) on LadybugDB, labels(n)[0] on Neo4j"
            )
        if _LIST_INDEX.search(text):
            warnings.append(
                "list indexing differs: LadybugDB lists start at 1, Neo4j lists at 0"
            )
    return warnings

"""Checks on analysts' Cypher: the read-only allow-list, and warnings where dialects differ silently."""

from __future__ import annotations

import re

from challenge_graph.graph.errors import ReadOnlyError
from challenge_graph.store.cypher_guard import check_analyst_cypher, tokenize

__all__ = ["check_read_only", "dialect_warnings", "strip_literals"]

_LIST_INDEX = re.compile(r"[\w)\]]\s*\[\s*-?\d+\s*\]")


def strip_literals(cypher: str) -> str:
    """The query's tokens with strings and quoted names as ``...`` and comments gone.

    >>> strip_literals("MATCH (n {name: 'CREATE'}) // SET")
    'MATCH ( n { name : ... } )'
    """
    try:
        tokens = tokenize(cypher)
    except ReadOnlyError:
        return ""
    return " ".join("..." if t.kind in ("string", "name") else t.text for t in tokens)


def check_read_only(cypher: str) -> None:
    """Raise :class:`ReadOnlyError` unless ``cypher`` is one read query of allowed clauses
    (see :mod:`graph.cypher_guard`; the same check on every store).

    >>> check_read_only("MATCH (c:Challenge) RETURN c.name")
    >>> check_read_only("MATCH (c) DETACH DELETE c")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    challenge_graph.graph.errors.ReadOnlyError: read-only: DETACH DELETE is not allowed here (a write); ...
    """
    check_analyst_cypher(cypher)


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
            warnings.append("list indexing differs: LadybugDB lists start at 1, Neo4j lists at 0")
    return warnings

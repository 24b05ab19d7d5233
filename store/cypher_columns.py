"""Result columns named as the analyst wrote them: LadybugDB names ``RETURN labels(n)`` after its
own rewrite (``LABEL(n._ID,[Interview,…])``); Neo4j names a column by the expression's text."""

from __future__ import annotations

import re

__all__ = ["written_columns"]

_END = re.compile(r"\b(ORDER\s+BY|SKIP|LIMIT|UNION)\b", re.IGNORECASE)


def written_columns(statement: str, columns: list[str]) -> list[str]:
    """``columns`` with each unaliased RETURN item named by its text, when the items can be told
    apart (otherwise the engine's names are kept).

    >>> written_columns("MATCH (n) RETURN labels(n), n.title AS t LIMIT 2", ["LABEL(n._ID,[A,B])", "t"])
    ['labels(n)', 't']
    """
    items = _return_items(statement)
    if items is None or len(items) != len(columns) or "*" in items:
        return columns
    named = []
    for item, column in zip(items, columns):
        alias = re.search(r"\s+AS\s+`?([^`]+?)`?\s*$", item, re.IGNORECASE)
        named.append(column if alias else " ".join(item.split()))
    return named if len(set(named)) == len(named) else columns


def _return_items(statement: str) -> list[str] | None:
    """The items of the last RETURN, split at top-level commas; None when it cannot be read."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", statement, flags=re.S)
    depth, quote, start = 0, "", None
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif (
            depth == 0
            and text[i : i + 6].upper() == "RETURN"
            and not text[i - 1 : i].isalnum()
            and not text[i + 6 : i + 7].isalnum()
        ):
            start = i + 6
    if start is None:
        return None
    body = text[start:]
    body = re.sub(r"^\s*DISTINCT\b", "", body, flags=re.IGNORECASE)
    items, depth, quote, current = [], 0, "", ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch == ",":
            items.append(current)
            current = ""
            continue
        elif depth == 0 and _END.match(body, i) and (i == 0 or not body[i - 1].isalnum()):
            break
        current += ch
    items.append(current)
    items = [item.strip() for item in items]
    return items if all(items) else None

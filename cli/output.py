"""Render query rows as a text table, CSV or JSON for the terminal."""

from __future__ import annotations

import json
import math
from typing import Any

from challenge_graph.export.csv_safe import csv_text
from challenge_graph.store.base import QueryResult

__all__ = ["render", "FORMATS", "printable", "json_text"]

FORMATS = ("table", "csv", "json")
_CELL = 70


def render(result: QueryResult, fmt: str) -> str:
    """Text of ``result`` in ``fmt`` (table, csv or json)."""
    if fmt == "json":
        return json_text(result.as_dicts())
    if fmt == "csv":
        return csv_text(result.columns, ([_csv_cell(v) for v in row] for row in result.rows)).rstrip("\n")
    return _table(result)


def json_text(value: Any) -> str:
    """``value`` as JSON, an undefined statistic (nan, inf) as ``null``: ``NaN`` is not JSON.

    >>> json_text({"kappa": float("nan"), "n": [1.5]}).split()
    ['{', '"kappa":', 'null,', '"n":', '[', '1.5', ']', '}']
    """
    return json.dumps(_finite(value), ensure_ascii=False, indent=2, default=str, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def printable(text: Any) -> str:
    r"""``text`` on one line: control characters (a newline in a file name) shown as escapes,
    so a name can never forge report lines.

    >>> printable("evil.txt\nRejected 0:")
    'evil.txt\\nRejected 0:'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _table(result: QueryResult) -> str:
    cells = [[_short(v) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    line = "  ".join("-" * w for w in widths)
    head = "  ".join(c.ljust(w) for c, w in zip(result.columns, widths))
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    footer = f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})"
    return "\n".join([head.rstrip(), line, *body, footer])


def _short(value: Any) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"

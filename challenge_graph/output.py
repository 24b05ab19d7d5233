"""Render query rows as a text table, CSV or JSON for the terminal."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from graph.store import QueryResult

__all__ = ["render", "FORMATS"]

FORMATS = ("table", "csv", "json")
_CELL = 70


def render(result: QueryResult, fmt: str) -> str:
    """Text of ``result`` in ``fmt`` (table, csv or json)."""
    if fmt == "json":
        return json.dumps(result.as_dicts(), ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_csv_cell(v) for v in row] for row in result.rows)
        return out.getvalue().rstrip("\n")
    return _table(result)


def _csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _table(result: QueryResult) -> str:
    cells = [[_short(v) for v in row] for row in result.rows]
    widths = [
        max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)
    ]
    line = "  ".join("-" * w for w in widths)
    head = "  ".join(c.ljust(w) for c, w in zip(result.columns, widths))
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    footer = f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})"
    return "\n".join([head.rstrip(), line, *body, footer])


def _short(value: Any) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"

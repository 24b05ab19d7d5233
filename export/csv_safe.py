"""Spreadsheet-safe cells: text a spreadsheet would run as a formula gets a leading quote.

OWASP's rule for CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with ``'``, so ``=HYPERLINK(…)`` from a codings table is shown as
text, never evaluated, when an export is opened in Excel, LibreOffice or Google Sheets. Numbers
stay numbers. Every CSV (and any XLSX) this project writes goes through :func:`safe_cell`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["safe_cell", "safe_row", "csv_text", "FORMULA_STARTS"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with ``'`` in front when it is text a spreadsheet would read as a formula.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-2+3"), safe_cell(-2), safe_cell("Loss")
    ('\\'=HYPERLINK("http://x")', "'-2+3", -2, 'Loss')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of ``row`` made safe."""
    return [safe_cell(v) for v in row]


def csv_text(columns: Sequence[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document (header and rows) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(safe_row(columns))
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()

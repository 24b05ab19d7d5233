"""Load spreadsheets (CSV or XLSX): codings tables and participants sheets.

A **codings table** has one row per coded segment, in one of two layouts (column names are
matched case-insensitively, in any order, with extra columns ignored):

- Taguette's highlights export: ``id, document, tag, content`` — each document becomes an
  interview whose single participant is ``Participant (<document>)``;
- the generic layout: ``interview, speaker, text, code`` and optionally ``coder`` — rows with
  the same interview, speaker and text are one turn, in the order they first appear.

A **participants sheet** has a ``pseudonym`` column and any attributes (``role``, ``years``,
``domain``, ``company size``…). Columns that look like real names or contact details
(``name``, ``full name``, ``email``, ``phone``…) are refused: only pseudonyms enter the graph.
The header may stand on any of the first five rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Coding, Interview, ParticipantSheet, Record, Turn, slugify
from challenge_graph.graph.speakers import identify_speakers, with_roles
from challenge_graph.loaders.archives import check_members
from challenge_graph.loaders.text import decode

__all__ = ["parse_table", "read_rows", "REFUSED_COLUMNS"]

TAGUETTE = ("document", "tag", "content")
GENERIC = ("interview", "speaker", "text", "code")
REFUSED_COLUMNS = {
    "name",
    "full name",
    "fullname",
    "first name",
    "last name",
    "surname",
    "email",
    "e-mail",
    "email address",
    "phone",
    "phone number",
    "real name",
    "address",
}
_HEADER_ROWS = 5
# limits on an .xlsx (a ZIP of XML), checked before openpyxl unpacks it: the ratio is a .qdpx's; the
# size is lower, for openpyxl reads about 2.5 MB of sheet XML a second and holds every row. A
# 40,000-row codings table (far more than a study codes) unpacks to 20 MB at a ratio of 6.
LIMITS = {"max_unpacked_bytes": 100 * 1024 * 1024, "max_ratio": 200}


def parse_table(data: bytes, source: Path | str, xlsx: bool) -> list[Record]:
    """Parse a codings table or a participants sheet (told apart by their columns)."""
    rows, lines = _rows_and_lines(data, source, xlsx)
    header_at, header = _find_header(rows, source)
    # each record keeps the line it starts on: blank rows are skipped, never miscounted
    records = [
        (line, dict(zip(header, row)))
        for row, line in zip(rows[header_at + 1 :], lines[header_at + 1 :])
        if any(str(v).strip() for v in row)
    ]
    header_line = lines[header_at]
    if "pseudonym" in header and not {"code", "tag"} & set(header):
        return [_participants(records, header, source, header_line)]
    if set(TAGUETTE) <= set(header):
        return _codings(records, source, ("document", None, "content", "tag"), "tag")
    if set(GENERIC) <= set(header):
        return _codings(records, source, ("interview", "speaker", "text", "code"), "code")
    raise LoaderError(source, header_line, _missing(header))


def read_rows(data: bytes, source: Path | str, xlsx: bool) -> list[list[str]]:
    """All rows as lists of text (XLSX: the first sheet)."""
    return _rows_and_lines(data, source, xlsx)[0]


def _rows_and_lines(data: bytes, source: Path | str, xlsx: bool) -> tuple[list[list[str]], list[int]]:
    """All rows, and the line (CSV: the physical line it starts on; XLSX: the row) of each."""
    if xlsx:
        from openpyxl import load_workbook

        _check_workbook(data, source)
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as e:  # openpyxl raises many kinds for a broken workbook
            raise LoaderError(source, None, f"not a readable XLSX workbook ({type(e).__name__})") from e
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        return rows, list(range(1, len(rows) + 1))
    text = decode(data, source)
    reader = csv.reader(io.StringIO(text, newline=""))  # CR, LF and CRLF rows alike
    rows, lines = [], []
    try:
        start = 1
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as e:
        raise LoaderError(source, reader.line_num, f"not readable as CSV ({e})") from e
    return rows, lines


def _check_workbook(data: bytes, source) -> None:
    """Refuse a workbook that is no ZIP, or that would unpack beyond ``LIMITS`` (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as e:
        raise LoaderError(source, None, f"not a readable XLSX workbook (corrupt ZIP: {e})") from e
    check_members(source, infos, LIMITS)


def _find_header(rows: list[list[str]], source) -> tuple[int, list[str]]:
    for index, row in enumerate(rows[:_HEADER_ROWS]):
        header = [" ".join(str(c).strip().lower().replace("_", " ").split()) for c in row]
        if "pseudonym" in header or set(TAGUETTE) <= set(header) or set(GENERIC) <= set(header):
            return index, header
    if not rows:
        raise LoaderError(source, None, "empty table")
    first = [" ".join(str(c).strip().lower().split()) for c in rows[0]]
    raise LoaderError(source, 1, _missing(first))


def _missing(header: list[str]) -> str:
    have = set(header)
    nearest = min((TAGUETTE, GENERIC, ("pseudonym",)), key=lambda cols: len(set(cols) - have))
    missing = [c for c in nearest if c not in have]
    return (
        f"missing column {', '.join(map(repr, missing))} (a codings table needs "
        f"{', '.join(GENERIC)}[, coder] or Taguette's {', '.join(TAGUETTE)}; a participants sheet needs "
        f"pseudonym; found: {', '.join(c for c in header if c) or 'nothing'})"
    )


def _codings(records, source, columns, code_column) -> list[Record]:
    """One interview per title; a turn per distinct (speaker, text), at its first row's line.
    Turns are indexed by that key in a dict, so the work grows with the rows, never their square."""
    interview_col, speaker_col, text_col, _ = columns
    # interview -> (speaker, text) -> (position, line of its first row)
    turns: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    found: dict[str, list[tuple[int, str, str, int]]] = defaultdict(list)  # (position, code, coder, line)
    for line, row in records:
        interview = (row.get(interview_col) or "").strip()
        text = " ".join((row.get(text_col) or "").split())
        code = (row.get(code_column) or "").strip()
        if not interview or not text:
            raise LoaderError(source, line, f"row has no {interview_col if not interview else text_col}")
        speaker = (row.get(speaker_col) or "").strip() if speaker_col else "Participant"
        known = turns[interview]
        position, _ = known.setdefault((speaker, text), (len(known), line))
        found[interview].append((position, code, (row.get("coder") or "").strip(), line))
    default_coder = "taguette" if code_column == "tag" else Path(str(source)).stem
    interviews = []
    for title, rows in found.items():
        interview_id = slugify(title)
        turn_list = [Turn(sp, tx, pos, first) for (sp, tx), (pos, first) in turns[title].items()]
        codings = tuple(Coding(code, coder or default_coder, (pos,), line) for pos, code, coder, line in rows if code)
        speakers = identify_speakers(turn_list, interview_id, title)
        interviews.append(
            Interview(
                interview_id,
                title,
                Path(str(source)).name,
                "codings-table",
                with_roles(turn_list, speakers),
                speakers,
                codings,
                tuple(dict.fromkeys(c.coder for c in codings)),
            )
        )
    return interviews


def _participants(records, header, source, header_line) -> ParticipantSheet:
    for column in header:
        if column in REFUSED_COLUMNS:
            raise LoaderError(
                source,
                header_line,
                f"column {column!r} looks like real names or contact details: refused, only pseudonyms "
                "enter the graph (remove the column and load the sheet again)",
            )
    rows = []
    for line, row in records:
        if not (row.get("pseudonym") or "").strip():
            raise LoaderError(source, line, "row has no pseudonym")
        rows.append({k: str(v).strip() for k, v in row.items() if k and str(v).strip()})
    return ParticipantSheet(Path(str(source)).name, tuple(rows))

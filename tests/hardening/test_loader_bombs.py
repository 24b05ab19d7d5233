"""Loader bombs: small files that cost a loader unbounded time or memory, each measured on main
before its fix. A code tree nested thousands deep (RecursionError), PDF pages sharing one big
content stream (40 minutes), an .xlsx unpacking to a gigabyte, a codings CSV of 40,000 turns
(quadratic: 163 s), a 200 MB text file (3.2 GB of memory).

Each file is built here, in tmp_path, and checked with ``challenge-graph check`` in a process of
its own: one line naming the file says why it is refused (or it loads), the good files beside it
load, no traceback, exit code 2. The 60 s timeout of that process only asks that it finish.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from subprocess import PIPE

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import SourceFile
from challenge_graph.loaders import delve_pdf, parse_source, tables
from challenge_graph.loaders.refi_qda import parse_qdpx
from tests.conftest import FIXTURES, ROOT

GOOD_TXT = "Interviewer: What slowed the project down?\nParticipant: Labelling the data took months.\n"
REAL_PDF = FIXTURES / "delve-pdf" / "2023-06-04-Interview 19 - PO.pdf"


def _folder(tmp_path, **files: bytes):
    """A folder holding ``files`` (names with ``_`` for ``.``) and a good transcript."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TXT, encoding="utf-8")
    for name, data in files.items():
        (folder / name.replace("_", ".")).write_bytes(data)
    return folder


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python args`` in a session of its own, killed whole (worker processes too) if it has
    not finished within 60 s."""
    command = [sys.executable, *args]
    with subprocess.Popen(
        command, stdout=PIPE, stderr=PIPE, text=True, cwd=ROOT, env={**os.environ, **env}, start_new_session=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _check(folder, **env: str) -> subprocess.CompletedProcess:
    return _run("-m", "challenge_graph", "check", str(folder), **env)


def _assert_refused(done: subprocess.CompletedProcess, path, reason: str) -> str:
    """Exit code 2, one line ``path: reason``, the good transcript loaded, no traceback."""
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    assert done.returncode == 2, out
    lines = [line.strip() for line in done.stderr.splitlines() if str(path) in line]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and reason in lines[0], out
    assert "ok  good.txt (plain-transcript)" in done.stdout, out
    return lines[0]


# 1. a code tree nested deeper than Python's recursion limit


def _deep_qdpx(depth: int) -> bytes:
    codes = "".join(f'<Code guid="g{i}" name="code {i}" isCodable="true">' for i in range(depth)) + "</Code>" * depth
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="deep"><CodeBook><Codes>{codes}</Codes></CodeBook>
<Sources><TextSource guid="s1" name="deep interview"><PlainTextContent>{GOOD_TXT}</PlainTextContent>
<PlainTextSelection guid="x1" startPosition="0" endPosition="5"><Coding guid="c1" creatingUser="u">
<CodeRef targetGUID="g{depth - 1}"/><CodeRef targetGUID="g0"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", project)
    return out.getvalue()


def test_a_code_tree_nested_thousands_deep_loads(tmp_path):
    depth = 10 * sys.getrecursionlimit()
    [interview] = parse_qdpx(_deep_qdpx(depth), "deep.qdpx")
    assert [(c.code, c.category) for c in interview.codings] == [(f"code {depth - 1}", "code 0"), ("code 0", "code 0")]
    done = _check(_folder(tmp_path, deep_qdpx=_deep_qdpx(depth)))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "ok  deep.qdpx (refi-qda): 1 interview(s)" in done.stdout and "ok  good.txt" in done.stdout


def test_a_project_of_20000_selections_over_20000_turns_loads(tmp_path):
    """Each selection scanned every turn on main (85 s); the turns it covers are bisected now."""
    lines = [f"{'Interviewer' if i % 2 else 'P7'}: turn {i}" for i in range(20_000)]
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    selections = "".join(
        f'<PlainTextSelection guid="s{i}" startPosition="{offsets[i]}" endPosition="{offsets[i] + 5}">'
        f'<Coding guid="c{i}" creatingUser="u"><CodeRef targetGUID="g1"/></Coding></PlainTextSelection>'
        for i in range(len(lines))
    )
    text = "\n".join(lines) + "\n"
    project = (
        '<Project xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes><Code guid="g1" name="data"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="t" name="many"><PlainTextContent>{text}</PlainTextContent>{selections}'
        "</TextSource></Sources></Project>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", project)
    done = _check(_folder(tmp_path, many_qdpx=out.getvalue()))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "ok  many.qdpx (refi-qda): 1 interview(s), 20000 turns, 20000 codings" in done.stdout
    [interview] = parse_qdpx(out.getvalue(), "many.qdpx")
    assert [c.positions for c in interview.codings] == [(i,) for i in range(len(lines))]


# 2. PDF pages that share one big content stream


def _pdf(pages: int, stream_bytes: int, form: bool = False) -> bytes:
    """``pages`` pages drawing one content stream of ``stream_bytes`` bytes of text operators
    (stored once, deflated); with ``form``, each page draws it as a form XObject instead."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    def name(n: str) -> NameObject:
        return NameObject(n)

    writer = PdfWriter()
    font = DictionaryObject({name("/Type"): name("/Font"), name("/Subtype"): name("/Type1")})
    font[name("/BaseFont")] = name("/Helvetica")
    fonts = DictionaryObject({name("/F1"): writer._add_object(font)})
    line = b"BT /F1 14 Tf 72 700 Td (Labelling the data took months.) Tj ET\n"
    drawing = DecodedStreamObject()
    drawing.set_data(line * (stream_bytes // len(line)))
    drawing = drawing.flate_encode()
    resources = DictionaryObject({name("/Font"): fonts})
    if form:
        drawing.update({name("/Type"): name("/XObject"), name("/Subtype"): name("/Form")})
        drawing[name("/BBox")] = ArrayObject(NumberObject(n) for n in (0, 0, 612, 792))
        drawing[name("/Resources")] = DictionaryObject({name("/Font"): fonts})
        resources[name("/XObject")] = DictionaryObject({name("/X"): writer._add_object(drawing)})
        drawing = DecodedStreamObject()
        drawing.set_data(b"/X Do\n")
    contents, resources = writer._add_object(drawing), writer._add_object(resources)
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[name("/Resources")], page[name("/Contents")] = resources, contents
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_pages_sharing_one_big_stream_are_refused(tmp_path):
    """The measured attack: 1,000 pages draw one 1 MB stream (~140 KB on disk): 2.4 s a page,
    40 minutes, inside the page and size limits. Refused once past the operator budget."""
    hostile = _pdf(pages=1000, stream_bytes=1_000_000)
    assert len(hostile) < 200_000
    folder = _folder(tmp_path, hostile_pdf=hostile)
    shutil.copy(REAL_PDF, folder / "real.pdf")
    done = _check(folder)
    line = _assert_refused(done, folder / "hostile.pdf", "the PDF's pages hold more than 500000 drawing operators")
    assert "(at page 7 of 1000)" in line
    assert re.search(r"ok  real.pdf \(delve-pdf\): 1 interview\(s\), \d+ turns", done.stdout)


@pytest.mark.parametrize(
    ("limit", "value", "form", "message"),
    [
        ("max_content_bytes", 300_000, False, r"more than 0\.286102 MB of drawing instructions \(at page 4 of 50\)"),
        ("max_content_bytes", 300_000, True, r"more than 0\.286102 MB of drawing instructions \(at page 4 of 50\)"),
        ("max_operators", 20_000, False, r"more than 20000 drawing operators \(at page 3 of 50\)"),
        ("max_operators", 20_000, True, r"more than 20000 drawing operators \(at page 3 of 50\)"),
        ("max_seconds", 0, False, r"reading the PDF's text took more than 0 s \(at page 1 of 50\)"),
    ],
)
def test_each_pdf_work_budget_stops_the_file(monkeypatch, limit, value, form, message):
    """Each budget alone stops a file past it, pages drawing the stream directly or as a form
    (pypdf skips errors raised inside a form: the budget still stops the file)."""
    monkeypatch.setitem(delve_pdf.LIMITS, limit, value)
    with pytest.raises(LoaderError, match=rf"^many.pdf: .*{message}") as e:
        delve_pdf.parse_pdf(_pdf(pages=50, stream_bytes=100_000, form=form), "many.pdf")
    assert "\n" not in str(e.value)


def test_pdf_budgets_are_twenty_times_the_real_exports():
    """The nine real exports, counted with pypdf alone: the budgets hold 20 of the largest."""
    from pypdf import PdfReader

    pdfs = sorted((FIXTURES / "delve-pdf").rglob("*.pdf"))
    most_bytes = most_operators = 0
    for path in pdfs:
        reader, operators = PdfReader(path), []
        drawn = sum(len(page.get_contents().get_data()) for page in reader.pages)
        for page in reader.pages:
            page.extract_text(visitor_operand_before=lambda operator, *_, seen=operators: seen.append(operator))
        most_bytes, most_operators = max(most_bytes, drawn), max(most_operators, len(operators))
    assert len(pdfs) == 9 and 400_000 < most_bytes < 500_000 and 15_000 < most_operators < 20_000
    assert delve_pdf.LIMITS["max_content_bytes"] >= 20 * most_bytes
    assert delve_pdf.LIMITS["max_operators"] >= 20 * most_operators


# 3. an .xlsx whose sheet XML unpacks to far more than the file


def _workbook(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_bomb(sheet_bytes: int) -> bytes:
    """A real workbook whose sheet is replaced by ``sheet_bytes`` of rows, streamed into the ZIP."""
    real = zipfile.ZipFile(io.BytesIO(_workbook([["interview", "speaker", "text", "code"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in real.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, real.read(info))
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            rows = b'<row><c t="inlineStr"><is><t>Interview 1</t></is></c></row>' * 10_000
            for _ in range(sheet_bytes // len(rows) + 1):
                sheet.write(rows)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_an_xlsx_that_unpacks_to_a_gigabyte_is_refused_before_it_is_read(tmp_path):
    bomb = _xlsx_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1_000_000  # 200 MB of sheet in under 1 MB
    good = _workbook([["interview", "speaker", "text", "code"], ["Interview 9", "P9", "Labels took months.", "data"]])
    done = _check(_folder(tmp_path, bomb_xlsx=bomb, codings_xlsx=good))
    line = _assert_refused(done, tmp_path / "corpus" / "bomb.xlsx", "refused as a possible zip bomb")
    assert "largest member 'xl/worksheets/sheet1.xml'" in line and "limits: 104857600 bytes, ratio 200" in line
    assert "ok  codings.xlsx (codings-table): 1 interview(s), 1 turns, 1 codings" in done.stdout


def test_the_xlsx_size_limit_alone_refuses(monkeypatch):
    """Within the ratio (a sheet of varied text) but past the unpacked size: refused too."""
    rows = [["interview", "speaker", "text", "code"]] + [["I", "P", f"turn {i} {i * 7919}", "c"] for i in range(3000)]
    data = _workbook(rows)
    assert len(tables.parse_table(data, "t.xlsx", xlsx=True)[0].turns) == 3000
    monkeypatch.setitem(tables.LIMITS, "max_unpacked_bytes", 100_000)
    with pytest.raises(LoaderError, match=r"^t.xlsx: archive unpacks to \d+ bytes \(\d+x its size;"):
        tables.parse_table(data, "t.xlsx", xlsx=True)


# 4. a codings CSV of many distinct turns


LOAD_SUMMARY = """
import json, sys
from challenge_graph.loaders import load_paths
result = load_paths([sys.argv[1]])
print(json.dumps({
    "rejected": [str(e) for e in result.rejected],
    "turns": {r.title: len(r.turns) for _, r in result.records},
    "codings": sum(len(r.codings) for _, r in result.records),
    "first": [[c.code, c.line] for _, r in result.records for c in r.codings if c.positions == (0,)],
    "lines": [r.turns[0].line for _, r in result.records],
}))
"""


def test_a_codings_csv_of_40000_turns_loads(tmp_path):
    """Quadratic on main (one interview of 40,000 turns: 163 s). The counts expected come from
    the csv module."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["interview", "speaker", "text", "code", "coder"])
    for i in range(40_000):
        writer.writerow(["Interview 1", "Interviewer" if i % 2 else "P7", f"Turn {i}: labels took months.", "data"])
    writer.writerow(["Interview 1", "P7", "Turn 0: labels took months.", "tooling"])  # a second code on a turn
    (tmp_path / "turns.csv").write_text(out.getvalue(), encoding="utf-8")
    with open(tmp_path / "turns.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    turns = {(r["interview"], r["speaker"], r["text"]) for r in rows}
    assert len(rows) == 40_001 and len(turns) == 40_000

    done = _run("-c", LOAD_SUMMARY, str(tmp_path / "turns.csv"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "rejected": [],
        "turns": {"Interview 1": len(turns)},
        "codings": len(rows),
        "first": [["data", 2], ["tooling", 40_002]],  # both codes of the first turn, on their lines
        "lines": [2],
    }
    done = _check(_folder(tmp_path, turns_csv=(tmp_path / "turns.csv").read_bytes()))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "ok  turns.csv (codings-table): 1 interview(s), 40000 turns, 40001 codings" in done.stdout


# 5. text files past the size limit


@pytest.mark.parametrize("name", ["big.txt", "big.csv", "big.codings.yaml"])
def test_a_text_file_past_the_limit_is_refused_before_it_is_read(tmp_path, name):
    folder = _folder(tmp_path)
    with open(folder / name, "wb") as f:  # one line of 2 MB, sparse on disk
        f.truncate(2 * 1024 * 1024)
    done = _check(folder, CHALLENGE_GRAPH_MAX_TEXT_MB="1")
    line = _assert_refused(done, folder / name, "text file of 2.0 MB refused (limit 1 MB;")
    assert "set CHALLENGE_GRAPH_MAX_TEXT_MB to a larger number of megabytes" in line
    # raised, the same file is read (and refused for what it holds: it is all zero bytes)
    done = _check(folder, CHALLENGE_GRAPH_MAX_TEXT_MB="3")
    assert "refused (limit" not in done.stderr and "ok  good.txt" in done.stdout


def test_the_size_on_disk_is_checked_before_the_file_is_read(tmp_path, monkeypatch):
    from pathlib import Path

    from challenge_graph.loaders import read_sources

    folder = _folder(tmp_path)
    with open(folder / "big.txt", "wb") as f:
        f.truncate(2 * 1024 * 1024)
    read, read_bytes, path_open = set(), Path.read_bytes, Path.open  # every way a Path is read
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.add(self.name) or read_bytes(self))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: read.add(self.name) or path_open(self, *a, **k))
    monkeypatch.setenv("CHALLENGE_GRAPH_MAX_TEXT_MB", "1")
    sources, errors, _ = read_sources([folder])
    assert read == {"good.txt"} and [s.name for s in sources] == ["good.txt"]
    assert [str(e) for e in errors] == [
        f"{folder / 'big.txt'}: text file of 2.0 MB refused (limit 1 MB; a transcript is well under 1 MB): "
        "split it, or set CHALLENGE_GRAPH_MAX_TEXT_MB to a larger number of megabytes"
    ]


def test_uploaded_text_is_refused_by_its_size_too(monkeypatch):
    """Bytes that never passed read_sources (a dashboard upload) are checked before decoding."""
    monkeypatch.setenv("CHALLENGE_GRAPH_MAX_TEXT_MB", "0.5")
    data = GOOD_TXT.encode() * (600_000 // len(GOOD_TXT))
    with pytest.raises(LoaderError, match=r"^upload.txt: text file of 0.6 MB refused \(limit 0.5 MB;"):
        parse_source(SourceFile("upload.txt", data, "upload.txt"))
    monkeypatch.setenv("CHALLENGE_GRAPH_MAX_TEXT_MB", "1")
    [interview] = parse_source(SourceFile("upload.txt", data, "upload.txt"))
    assert len(interview.turns) == 2 * (600_000 // len(GOOD_TXT))


@pytest.mark.parametrize("value", ["lots", "0", "-5", "nan", "inf"])
def test_a_bad_text_limit_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("CHALLENGE_GRAPH_MAX_TEXT_MB", value)
    with pytest.raises(LoaderError, match=rf"^a.txt: CHALLENGE_GRAPH_MAX_TEXT_MB='{value}' is not a positive number"):
        parse_source(SourceFile("a.txt", GOOD_TXT.encode(), "a.txt"))

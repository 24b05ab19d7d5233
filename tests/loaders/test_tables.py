"""Codings tables (Taguette, generic) and participants sheets, as CSV and XLSX."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from challenge_graph.graph.build import build_graph
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import ParticipantSheet, SourceFile
from challenge_graph.loaders import load_paths, parse_source
from challenge_graph.loaders.tables import parse_table
from tests.conftest import FIXTURES

TABLES = FIXTURES / "tables"


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_taguette_highlights():
    interviews = parse_source(SourceFile("taguette-highlights.csv", (TABLES / "taguette-highlights.csv").read_bytes()))
    assert [(i.id, len(i.turns)) for i in interviews] == [("p7-interview-docx", 2), ("p8-interview-docx", 1)]
    p7 = interviews[0]
    assert [(c.code, c.coder, c.positions) for c in p7.codings] == [
        ("Loss-complexity", "taguette", (0,)),
        ("Data-missing-values", "taguette", (1,)),
        ("Data-missing-value-fix", "taguette", (1,)),
    ]
    assert [s.pseudonym for s in p7.speakers] == ["Participant (p7-interview.docx)"]


def test_generic_layout_with_coders_and_interviewer(codebook):
    source = SourceFile("generic-codings.csv", (TABLES / "generic-codings.csv").read_bytes())
    [iv] = parse_source(source)
    assert [(t.speaker, t.role) for t in iv.turns] == [
        ("Interviewer", "interviewer"),
        ("P70", "participant"),
        ("Interviewer", "interviewer"),
        ("P70", "participant"),
    ]
    assert sorted((c.code, c.coder) for c in iv.codings) == [
        ("MLP-costly-platforms", "Ana"),
        ("Match-missing-baseline", "Ana"),
        ("QM-reproducibility", "Ben"),
    ]
    graph = build_graph([(source, iv)], codebook)
    assert {c["name"] for c in graph.node_rows("Coder")} == {"Ana", "Ben"}


def test_xlsx_with_header_on_row_three():
    data = _xlsx(
        [
            ["Codings export"],
            [],
            ["interview", "speaker", "text", "code"],
            ["I1", "P1", "The loss diverged.", "Loss-complexity"],
        ]
    )
    [iv] = parse_source(SourceFile("codings.xlsx", data))
    assert iv.codings[0].code == "Loss-complexity" and iv.codings[0].line == 4


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("t.csv", b"interview,speaker,text\nI1,P1,hello\n", "t.csv:1: missing column 'code'"),
        ("t.csv", b"document,tag\nd,x\n", "t.csv:1: missing column 'content'"),
        ("t.csv", b"interview,speaker,text,code\n,P1,hello,X-y\n", "t.csv:2: row has no interview"),
        ("t.xlsx", b"not a workbook", "t.xlsx: not a readable XLSX workbook"),
        ("p.csv", b"pseudonym,Full Name,domain\nP1,Jane Doe,CV\n", "p.csv:1: column 'full name' looks like real names"),
        ("p.csv", b"pseudonym,email\nP1,a@b.c\n", "p.csv:1: column 'email' looks like real names"),
    ],
)
def test_bad_tables_are_clear_errors(name, data, message):
    with pytest.raises(LoaderError) as e:
        parse_source(SourceFile(name, data))
    assert str(e.value).startswith(message)


def test_participants_sheet_adds_attributes(codebook, one_study):
    result = load_paths([one_study])
    sheet = [r for _, r in result.records if isinstance(r, ParticipantSheet)]
    assert len(sheet) == 2 and not result.rejected  # one per example study
    graph = build_graph(result.records, codebook)
    leader = graph.nodes["Participant"]["leader-4"]
    assert json.loads(leader["attributes"]) == {"domain": "computer vision", "position": "team leader"}
    engineer = next(p for p in graph.node_rows("Participant") if p["pseudonym"].startswith("Speaker 2"))
    assert json.loads(engineer["attributes"])["years ml"] == "3"
    assert not graph.warnings


def test_sheet_can_name_the_interviewer(codebook, tmp_path):
    (tmp_path / "t.txt").write_text(
        "Max:\nHow did it go?\n\nAda:\nThe loss diverged.\n\nMax:\nWhy?\n\nAda:\nBad labels.\n"
    )
    (tmp_path / "people.csv").write_text("pseudonym,role\nMax,interviewer\nAda,participant\n")
    graph = build_graph(load_paths([tmp_path]).records, codebook)
    assert [p["pseudonym"] for p in graph.node_rows("Participant")] == ["Ada"]
    roles = {e["speaker"]: e["role"] for e in graph.node_rows("Excerpt")}
    assert roles == {"Max": "interviewer", "Ada": "participant"}


def test_errors_name_the_line_after_blank_rows():
    """Blank rows (and a quoted cell spanning two lines) before the bad row do not shift the line
    number the error names."""
    data = b'interview,speaker,text,code\n\n\nI1,P1,"two\nlines",A\n\n,P1,no interview,B\n'
    with pytest.raises(LoaderError, match=r"^t.csv:7: row has no interview$"):
        parse_table(data, "t.csv", xlsx=False)
    sheet = b"pseudonym,role\n\n\nP1,engineer\n\n,lead\n"
    with pytest.raises(LoaderError, match=r"^p.csv:6: row has no pseudonym$"):
        parse_table(sheet, "p.csv", xlsx=False)

"""Quotes read from PDFs are cited by their page, quotes from text files by their line, on every
surface that shows one: the quote queries, exports with quotes, and their CSV."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from challenge_graph.cli import cli
from tests.conftest import EXAMPLES, FIXTURES

PDFS = FIXTURES / "delve-pdf"


@pytest.fixture(scope="module")
def pdf_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("pdfs") / "db"
    assert CliRunner().invoke(cli, ["load", str(PDFS), "--db", str(db)]).exit_code == 0
    return db


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _source_of(db) -> dict[str, str]:
    """Each interview's title and the file its turns (and pages) are read from."""
    query = "MATCH (i:Interview) RETURN i.title AS title, i.source AS source"
    result = CliRunner().invoke(cli, ["cypher", query, "--db", str(db), "--format", "json"])
    return {r["title"]: r["source"] for r in json.loads(result.stdout)}


def test_export_quotes_cite_the_page_the_quote_stands_on(pdf_db, tmp_path):
    out = tmp_path / "graph"
    result = CliRunner().invoke(cli, ["export", str(out), "--with-quotes", "--db", str(pdf_db)])
    assert result.exit_code == 0, result.output
    with (out / "nodes.csv").open(encoding="utf-8") as f:
        quoted = [row for row in csv.DictReader(f) if row["quote"]]
    assert quoted
    sources = _source_of(pdf_db)
    for row in quoted:
        interview, where = row["citation"].rsplit(", ", 1)
        assert re.fullmatch(r"p\. \d+", where), row["citation"]
        pages = PdfReader(next(PDFS.rglob(sources[interview]))).pages  # read here with pypdf, independently
        start = " ".join(_words(row["quote"]).split()[:6])  # the quote's first words
        assert start in _words(pages[int(where[3:]) - 1].extract_text()), row


def test_quote_queries_give_pages_for_pdfs_and_lines_for_text(pdf_db, tmp_path):
    def quotes(db, challenge):
        result = CliRunner().invoke(
            cli, ["query", "challenge-quotes", "--param", f"challenge={challenge}", "--db", str(db), "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    pdf_rows = quotes(pdf_db, "Data-integration-issues")
    assert pdf_rows and all(r["page"] > 0 and r["line"] == 0 for r in pdf_rows)
    text_db = tmp_path / "text"
    assert CliRunner().invoke(cli, ["load", str(EXAMPLES), "--db", str(text_db)]).exit_code == 0
    text_rows = quotes(text_db, "QM-robustness")
    assert text_rows and all(r["line"] > 0 and r["page"] == 0 for r in text_rows)

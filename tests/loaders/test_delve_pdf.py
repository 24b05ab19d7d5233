"""The three Delve PDF exports of Interview 19 (coders PO and Rached, consensus by Amin).

The expected code tags were counted by hand once from the PDFs' extracted text (lines made only
of code tags; two tags can share a line)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graph.build import build_graph
from graph.errors import LoaderError
from loaders import delve_pdf, load_paths
from tests.conftest import FIXTURES

PDFS = FIXTURES / "delve-pdf"
TAGS = {  # coder -> {code: tags printed in the PDF}
    "PO": {"Data-low-quantity": 1, "Data-integration-issues": 3, "Data-metadata-issue": 4,
           "Data-metadata-issue-fix": 3, "Data-unnormalized-annotations": 6, "MLP-debuggability-issues": 6,
           "Data-missing-values": 1, "MD-issues-with-dependencies": 3, "last-question-answers": 1},
    "Rached": {"Data-low-quality": 3, "data-integration-difficult": 1, "data-high-quality": 1,
               "Data-metadata-issue": 2, "MD-issues-with-dependencies": 5},
    "Amin": {"Data-low-quantity": 1, "Data-integration-issues": 5, "Data-low-quality": 1,
             "Data-metadata-issue": 8, "Data-unnormalized-annotations": 7, "MLP-debuggability-issues": 7,
             "Data-missing-value": 3, "MD-issues-with-dependencies": 9},
}


def _pdf(coder):
    return PDFS / f"2023-06-04-Interview 19 - {coder}.pdf"


@pytest.mark.parametrize("coder", sorted(TAGS))
def test_each_pdf_has_title_coder_turns_and_codes(coder):
    iv = delve_pdf.load(_pdf(coder))
    assert (iv.id, iv.title, iv.coders, iv.format) == ("interview-19", "Interview 19", (coder,), "delve-pdf")
    assert len(iv.turns) == 104
    # every tag covers one paragraph; consecutive tags of a code merge into one coding
    tags = Counter()
    for c in iv.codings:
        tags[c.code] += len(c.positions)
    assert dict(tags) == TAGS[coder]
    texts = " ".join(t.text for t in iv.turns)
    assert "delvetool.com" not in texts and "6/4/23" not in texts  # page headers and footer gone
    roles = {s.label: s.role for s in iv.speakers}
    assert roles["Interviewee"] == "participant" and roles["Interviewer 1"] == "interviewer"


def test_paragraph_split_across_pages_is_joined():
    iv = delve_pdf.load(_pdf("PO"))
    turn = next(t for t in iv.turns if t.text.startswith("actually, Okay. Um, yeah, I have"))
    assert turn.speaker == "Interviewee"
    before = iv.turns[turn.position - 1]
    assert before.text.endswith("experience you have in ML or in general? Uh,")


def test_three_coders_make_one_interview_with_a_consensus_coder(codebook):
    result = load_paths([PDFS])
    assert not result.rejected
    graph = build_graph(result.records, codebook)
    assert len(graph.node_rows("Interview")) == 1 and not graph.warnings
    coders = {c["name"]: c["consensus"] for c in graph.node_rows("Coder")}
    assert coders == {"Amin": True, "PO": False, "Rached": False}
    by_coder = Counter(r["coder"] for r in graph.rel_rows("CODED_AS"))
    assert by_coder == {coder: sum(tags.values()) for coder, tags in TAGS.items()}


def test_consensus_by_folder(codebook, tmp_path):
    folder = tmp_path / "moderation"
    folder.mkdir()
    (folder / "po.pdf").write_bytes(_pdf("PO").read_bytes())
    graph = build_graph(load_paths([tmp_path]).records, codebook)
    assert graph.node_rows("Coder") == [{"id": "po", "name": "PO", "consensus": True}]


def test_scanned_or_broken_pdfs_are_clear_errors(tmp_path):
    blank = tmp_path / "scan.pdf"
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    with open(blank, "wb") as f:
        writer.write(f)
    with pytest.raises(LoaderError, match=r"scan.pdf: the PDF has no extractable text \(scanned pages\?\)"):
        delve_pdf.load(blank)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(LoaderError, match=r"broken.pdf: not a readable PDF"):
        delve_pdf.load(broken)


def test_headers_are_recognised():
    assert delve_pdf.is_page_header("6/4/23, 5:45 PM 2023-06-04-Interview 19 - PO")
    assert delve_pdf.is_page_header("https://app.delvetool.com/transcripts/87692/print 4/16")
    assert not delve_pdf.is_page_header("Interview 19 - PO")
    assert Path(_pdf("PO")).exists()

"""The nine Delve PDF exports of Interviews 5, 10 and 19: PO and Rached coded independently, Amin
moderated (his files stand in ``moderation/``, as the study kept them).

Expected tags are counted independently of the loader: each tag is its own 10.5 pt run in the
PDF, and the speaker it belongs to is the last bold run before it. The totals per file agree
with a count by hand (Interview 19: PO 28, Rached 12, Amin 41; Interview 5: PO 144; Interview
10: Rached 70; the other four files carry no tags).
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from challenge_graph.graph.build import build_graph
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.graph_data import code_id
from challenge_graph.loaders import delve_pdf, load_paths
from challenge_graph.pipeline.ingest import check
from tests.conftest import FIXTURES

PDFS = FIXTURES / "delve-pdf"
ALL = sorted(PDFS.rglob("*.pdf"))
BY_HAND = {("19", "PO"): 28, ("19", "Rached"): 12, ("19", "Amin"): 41, ("5", "PO"): 144, ("10", "Rached"): 70}


def independent_tags(path: Path) -> Counter:
    """(speaker label, tag) pairs, read from the type sizes with a few lines of pypdf."""
    found: Counter = Counter()
    speaker = [""]

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        if size == 14 and "Bold" in str((font or {}).get("/BaseFont", "")):
            speaker[0] = text.strip()
        elif size == 10.5:
            found[(speaker[0].casefold(), text.strip())] += 1

    for page in PdfReader(io.BytesIO(path.read_bytes())).pages:
        page.extract_text(visitor_text=visit)
    return found


def _key(path: Path) -> tuple[str, str]:
    interview, coder = path.stem.split("Interview ")[1].split(" - ")
    return interview, coder


def test_independent_count_agrees_with_the_count_by_hand():
    totals = {_key(p): sum(independent_tags(p).values()) for p in ALL}
    assert {k: n for k, n in totals.items() if n} == BY_HAND and len(ALL) == 9


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_tag_is_read_on_its_speakers_paragraph(path):
    iv = delve_pdf.load(path)
    interview, coder = _key(path)
    expected = independent_tags(path)
    assert (iv.id, iv.title, iv.file_coder, iv.format) == (
        f"interview-{interview}",
        f"Interview {interview}",
        coder,
        "delve-pdf",
    )
    assert iv.tags_read == sum(expected.values())
    speaker = {t.position: t.speaker.casefold() for t in iv.turns}
    read = Counter((speaker[p], c.code) for c in iv.codings for p in c.positions)
    assert read == expected
    # a file without tags is not a coding of its interview
    assert iv.coders == ((coder,) if expected else ())
    texts = " ".join(t.text for t in iv.turns)
    assert "delvetool.com" not in texts and "6/4/23" not in texts  # page headers and footer gone
    assert not any(t.text in {tag for _, tag in expected} for t in iv.turns)  # no tag glued into a quote


def test_codes_that_are_not_hyphenated_words_are_tags_not_speakers():
    iv = delve_pdf.load(PDFS / "2023-06-04-Interview 5 - PO.pdf")
    codes = {c.code for c in iv.codings}
    assert {"Q1", "Q4.4", "Model-Evaluation-issues [ME]", "Quality-Measures (QM)"} <= codes
    assert {s.label for s in iv.speakers} == {"Interviewee", "Interviewer"}
    rached = delve_pdf.load(PDFS / "2023-06-04-Interview 10 - Rached.pdf")
    assert "Issues with performance alerts" in {c.code for c in rached.codings}


def test_lowercase_labels_are_speakers():
    iv = delve_pdf.load(PDFS / "2023-06-04-Interview 10 - PO.pdf")
    roles = {s.label: s.role for s in iv.speakers}
    assert roles == {"interviewee": "participant", "interviewer": "interviewer"}
    assert max(len(t.text) for t in iv.turns) < 5000


def test_paragraph_split_across_pages_is_joined():
    iv = delve_pdf.load(PDFS / "2023-06-04-Interview 19 - PO.pdf")
    turn = next(t for t in iv.turns if t.text.startswith("actually, Okay. Um, yeah, I have"))
    assert turn.speaker == "Interviewee"
    before = iv.turns[turn.position - 1]
    assert before.text.endswith("experience you have in ML or in general? Uh,")


def test_nine_files_place_every_tag_by_the_right_coder_on_the_right_turn(codebook):
    result = load_paths([PDFS])
    assert not result.rejected
    graph = build_graph(result.records, codebook)
    assert sorted(r["id"] for r in graph.node_rows("Interview")) == ["interview-10", "interview-19", "interview-5"]
    excerpts = graph.table("Excerpt")
    placed = Counter(
        (excerpts[r["src"]]["interview"].split("-")[1], r["coder"], excerpts[r["src"]]["speaker"].casefold(), r["dst"])
        for r in graph.rel_rows("CODED_AS")
    )
    expected = Counter()
    for path in ALL:
        interview, coder = _key(path)
        for (speaker, tag), n in independent_tags(path).items():
            expected[(interview, coder, speaker, code_id(tag))] += n
    assert placed == expected
    assert all(t.read == t.placed for t in graph.tags.values())
    assert sum(t.read for t in graph.tags.values()) == sum(BY_HAND.values())


def test_consensus_is_a_files_not_a_persons(codebook, tmp_path):
    graph = build_graph(load_paths([PDFS]).records, codebook)
    coded = {(r["src"], r["dst"]): r["consensus"] for r in graph.rel_rows("CODED")}
    # Amin moderated Interview 19; his files of 5 and 10 carry no tags, so they code nothing
    assert coded == {
        ("po", "interview-19"): False,
        ("rached", "interview-19"): False,
        ("amin", "interview-19"): True,
        ("po", "interview-5"): False,
        ("rached", "interview-10"): False,
    }
    # the same person coding independently elsewhere is an independent coder there
    (tmp_path / "moderation").mkdir()
    (tmp_path / "moderation" / "a.pdf").write_bytes((PDFS / "2023-06-04-Interview 19 - PO.pdf").read_bytes())
    (tmp_path / "b.pdf").write_bytes((PDFS / "2023-06-04-Interview 5 - PO.pdf").read_bytes())
    graph = build_graph(load_paths([tmp_path]).records, codebook)
    coded = {(r["src"], r["dst"]): r["consensus"] for r in graph.rel_rows("CODED")}
    assert coded == {("po", "interview-19"): True, ("po", "interview-5"): False}


def test_check_reports_tags_read_and_placed_per_file(codebook):
    report, _ = check([PDFS], codebook)
    lines = {line.split(" (", 1)[0]: line for line in report.files}
    for path in ALL:
        n = sum(independent_tags(path).values())
        name = path.relative_to(PDFS).as_posix()
        if n:
            assert lines[name].endswith(f"; {n} code tags read, {n} placed")
        else:
            assert "uncoded" in lines[name]
    assert f"code tags: {sum(BY_HAND.values())} read in 5 file(s), {sum(BY_HAND.values())} placed" in report.notes


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


# A tag codes the paragraph just before it: a turn of several paragraphs, some tagged (the shape
# of Interview 7 by Rached, whose paragraphs differ from the base file's), drawn small in Delve's
# layout. The expected codings are read off the document itself: each tag row codes the item
# before it.
RACHED_7 = [
    ("label", "Interviewer"),
    ("text", ["What was hard about the data?"]),
    ("tags", ["Q1"]),
    ("label", "Interviewee"),
    ("text", ["First we spent weeks on", "the annotation guide."]),
    ("text", ["Then the labels drifted", "between the two vendors."]),
    ("tags", ["Data-label-drift", "Q2"]),
    ("text", ["We had no budget left."]),
    ("text", ["So we retrained on the", "old labels and it held up."]),
    ("tags", ["Model-retraining"]),
    ("label", "Interviewer"),
    ("text", ["Thanks."]),
]
# the base file (the interview's first file): the same words, a label on every paragraph, and the
# last tagged paragraph in two
PO_7 = [
    ("label", "Interviewer"),
    ("text", ["What was hard about the data?"]),
    ("label", "Interviewee"),
    ("text", ["First we spent weeks on", "the annotation guide."]),
    ("label", "Interviewee"),
    ("text", ["Then the labels drifted", "between the two vendors."]),
    ("label", "Interviewee"),
    ("text", ["We had no budget left."]),
    ("label", "Interviewee"),
    ("text", ["So we retrained on the"]),
    ("label", "Interviewee"),
    ("text", ["old labels and it held up."]),
    ("label", "Interviewer"),
    ("text", ["Thanks."]),
]


def _tagged(items) -> dict[str, str]:
    """tag -> the text of the paragraph just before its row, from the document's items."""
    return {
        tag: " ".join(before[1]) for before, (kind, tags) in zip(items, items[1:]) if kind == "tags" for tag in tags
    }


def test_a_tag_codes_the_paragraph_just_before_it_not_the_whole_turn():
    from tests.loaders.delve_pdf_layout import delve_pdf as draw

    iv = delve_pdf.parse_pdf(draw("Interview 7 - Rached", RACHED_7))
    paragraphs = [(speaker, " ".join(value)) for speaker, (kind, value) in _speakers(RACHED_7) if kind == "text"]
    assert [(t.speaker, t.text) for t in iv.turns] == paragraphs
    coded = {c.code: " ".join(iv.turns[p].text for p in c.positions) for c in iv.codings}
    assert coded == _tagged(RACHED_7)
    assert len(iv.codings) == iv.tags_read == sum(len(value) for kind, value in RACHED_7 if kind == "tags")
    untagged = {"First we spent weeks on the annotation guide.", "We had no budget left."}
    assert not [c for c in iv.codings for p in c.positions if iv.turns[p].text in untagged]


def _speakers(items):
    speaker = ""
    for kind, value in items:
        speaker = value if kind == "label" else speaker
        yield speaker, (kind, value)


def test_coders_who_paragraph_differently_place_tags_on_the_tagged_paragraph_only(tmp_path, codebook):
    from tests.loaders.delve_pdf_layout import delve_pdf as draw

    (tmp_path / "Interview 7 - PO.pdf").write_bytes(draw("Interview 7 - PO", PO_7))
    (tmp_path / "Interview 7 - Rached.pdf").write_bytes(draw("Interview 7 - Rached", RACHED_7))
    result = load_paths([tmp_path])
    assert not result.rejected
    graph = build_graph(result.records, codebook)
    excerpts = graph.table("Excerpt")
    placed: dict[str, set[str]] = {}
    for r in graph.rel_rows("CODED_AS"):
        placed.setdefault(r["dst"], set()).add(excerpts[r["src"]]["text"])
    # each of Rached's tags lands on the base paragraphs holding the words of the one he tagged:
    # the paragraph in two in the base file is both halves; no untagged paragraph is coded
    base = [" ".join(value) for kind, value in PO_7 if kind == "text"]
    expected = {code_id(tag): {b for b in base if b in text} for tag, text in _tagged(RACHED_7).items()}
    assert placed == expected
    assert expected[code_id("Model-retraining")] == {"So we retrained on the", "old labels and it held up."}
    assert all(t.read == t.placed for t in graph.tags.values())

from __future__ import annotations

from graph.build import build_graph
from graph.model import SourceFile
from loaders import load_paths, parse_source
from tests.conftest import EXAMPLES, INTERVIEW_35


def _build(codebook, *sources):
    return build_graph([(s, r) for s in sources for r in parse_source(s)], codebook)


def _source(path, name=None):
    return SourceFile(name or path.name, path.read_bytes())


def test_fixes_address_their_challenges(codebook):
    graph = _build(codebook, _source(INTERVIEW_35))
    addresses = {(r["src"], r["dst"]) for r in graph.rel_rows("ADDRESSES")}
    assert ("qm-robustness-fix", "qm-robustness") in addresses
    assert ("data-missing-value-fix", "data-missing-values") in addresses
    # QM-data-privacy-issue is never coded: it is created, marked implied
    assert ("qm-data-privacy-issue-fix", "qm-data-privacy-issue") in addresses
    implied = graph.nodes["Challenge"]["qm-data-privacy-issue"]
    assert implied["implied"] is True
    assert graph.nodes["Challenge"]["qm-robustness"]["implied"] is False
    assert graph.nodes["Fix"]["qm-robustness-fix"]["name"] == "Fix: robustness"


def test_unknown_codes_are_kept_and_reported(codebook):
    graph = _build(codebook, _source(INTERVIEW_35))
    assert graph.nodes["Challenge"]["feedback-loop"]["known"] is False
    assert dict(graph.unknown_codes) == {"feedback-loop": {"interview-35-ilan.txt"}}


def test_interviewer_turns_are_never_participant_evidence(codebook):
    graph = _build(codebook, _source(INTERVIEW_35))
    said = {r["dst"] for r in graph.rel_rows("SAID")}
    interviewer = [e for e in graph.node_rows("Excerpt") if e["role"] == "interviewer"]
    assert interviewer and not any(e["id"] in said for e in interviewer)
    assert {p["pseudonym"] for p in graph.node_rows("Participant")} == {"Interviewee (Interview 35)"}


def test_build_is_deterministic(codebook):
    records = [(s, r) for s, r in load_paths([EXAMPLES]).records]
    a, b = build_graph(records, codebook), build_graph(records, codebook)
    assert a.nodes == b.nodes and a.rels == b.rels


def test_two_coders_of_one_interview_merge(codebook):
    text = INTERVIEW_35.read_text(encoding="utf-8")
    other = text.replace("Interview 35 - Ilan", "Interview 35 - PO", 1).replace("QM-robustness-fix", "QM-robust-fix")
    graph = _build(codebook, _source(INTERVIEW_35), SourceFile("interview-35-po.txt", other.encode()))
    assert len(graph.node_rows("Interview")) == 1
    assert {c["name"] for c in graph.node_rows("Coder")} == {"Ilan", "PO"}
    coders = {(r["dst"], r["coder"]) for r in graph.rel_rows("CODED_AS")}
    assert ("qm-robustness-fix", "Ilan") in coders and ("qm-robust-fix", "PO") in coders
    assert ("qm-reproducibility", "PO") in coders


def test_codings_file_with_a_bad_quote_rejects_that_line_only(codebook, tmp_path):
    transcript = SourceFile("t.txt", b"Interviewer: What was hard?\nP1: The loss function.\nInterviewer: And?\nP1: The data.\n")
    codings = SourceFile("t.codings.yaml", (
        "transcript: t.txt\ncoder: ana\ncodings:\n"
        "  - {code: Loss-complexity, quote: the LOSS   function}\n"
        "  - {code: Data-x, quote: not in the text}\n"
    ).encode())
    graph = _build(codebook, transcript, codings)
    assert [str(e) for e in graph.rejected] == ["t.codings.yaml:5: quote not found in 't.txt': 'not in the text'"]
    assert [(r["src"], r["dst"], r["coder"]) for r in graph.rel_rows("CODED_AS")] == [("t:1", "loss-complexity", "ana")]

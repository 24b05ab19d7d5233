from __future__ import annotations

import json

import pytest

from challenge_graph.graph.build import build_graph
from challenge_graph.graph.model import SourceFile
from challenge_graph.loaders import load_paths, parse_source
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
    a.read_held(), b.read_held()
    assert a.nodes == b.nodes and a.rels == b.rels and a.rels["CODED_AS"]


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
    transcript = SourceFile(
        "t.txt", b"Interviewer: What was hard?\nP1: The loss function.\nInterviewer: And?\nP1: The data.\n"
    )
    codings = SourceFile(
        "t.codings.yaml",
        (
            b"transcript: t.txt\ncoder: ana\ncodings:\n"
            b"  - {code: Loss-complexity, quote: the LOSS   function}\n"
            b"  - {code: Data-x, quote: not in the text}\n"
        ),
    )
    graph = _build(codebook, transcript, codings)
    assert [str(e) for e in graph.rejected] == ["t.codings.yaml:5: quote not found in 't.txt': 'not in the text'"]
    assert [(r["src"], r["dst"], r["coder"]) for r in graph.rel_rows("CODED_AS")] == [("t:1", "loss-complexity", "ana")]


def _delve(coder: str, paragraphs: list[tuple[str, str, list[str]]]) -> SourceFile:
    """A Delve text export: (speaker, paragraph, tags) in order."""
    lines = [f"Interview 7 - {coder}", ""]
    for speaker, text, tags in paragraphs:
        lines += [speaker, "", text, ""] + [x for t in tags for x in (t, "")]
    return SourceFile(f"interview-7-{coder}.txt", "\n".join(lines).encode())


def _coded(graph):
    excerpts = graph.table("Excerpt")
    return sorted(
        (r["coder"], r["dst"], excerpts[r["src"]]["speaker"], excerpts[r["src"]]["text"][:12])
        for r in graph.rel_rows("CODED_AS")
    )


def test_coders_files_align_by_position_not_by_text(codebook):
    """PO's second paragraph is two in Rached's file, and 'Okay.' recurs: Rached's tags land
    on the turns their text overlaps, in order, on the right speaker."""
    po = _delve(
        "PO",
        [
            ("Interviewer", "Okay.", []),
            ("Interviewee", "We lost labels. Then the model drifted badly.", ["Data-x"]),
            ("Interviewer", "Okay.", []),
            ("Interviewee", "Okay.", []),
        ],
    )
    rached = _delve(
        "Rached",
        [
            ("Interviewer", "Okay.", []),
            ("Interviewee", "We lost labels.", ["Data-y"]),
            ("Interviewee", "Then the model drifted badly.", ["Model-drift"]),
            ("Interviewer", "Okay.", []),
            ("Interviewee", "Okay.", ["Misc-answer"]),
        ],
    )
    graph = _build(codebook, po, rached)
    assert _coded(graph) == [
        ("PO", "data-x", "Interviewee", "We lost labe"),
        ("Rached", "data-y", "Interviewee", "We lost labe"),
        ("Rached", "misc-answer", "Interviewee", "Okay."),  # the participant's 'Okay.', not the first one
        ("Rached", "model-drift", "Interviewee", "We lost labe"),
    ]
    assert all(t.read == t.placed for t in graph.tags.values())


def test_a_tag_whose_text_is_not_in_the_base_file_is_reported(codebook):
    said = "We lost labels, then we lost the data, then we lost the whole team in one month."
    po = _delve("PO", [("Interviewee", said, ["Data-x"])])
    rached = _delve(
        "Rached", [("Interviewee", said, []), ("Interviewee", "Entirely different words here.", ["Data-y"])]
    )
    graph = _build(codebook, po, rached)
    report = graph.tags["interview-7-Rached.txt"]
    assert (report.read, report.placed) == (1, 0)
    assert report.unplaced[0][0] == "Data-y" and "not in 'interview-7-PO.txt'" in report.unplaced[0][2]


def test_unknown_codes_name_the_file_they_occur_in(codebook):
    po = _delve("PO", [("Interviewee", "We lost labels.", ["Data-x"])])
    rached = _delve("Rached", [("Interviewee", "We lost labels.", ["zzz-unknown-code"])])
    graph = _build(codebook, po, rached)
    assert dict(graph.unknown_codes)["zzz-unknown-code"] == {"interview-7-Rached.txt"}


def test_same_file_name_in_two_folders_is_two_interviews(codebook):
    a = SourceFile("site-a/interview.txt", b"Interviewer: How?\nP1: Like this.\n")
    b = SourceFile("site-b/interview.txt", b"Interviewer: Why?\nP2: Because of drift.\n")
    graph = _build(codebook, a, b)
    interviews = graph.node_rows("Interview")
    assert len(interviews) == 2 and len(graph.node_rows("Excerpt")) == 4
    assert any("already taken" in w and "site-b/interview.txt" in w for w in graph.warnings)


def test_cjk_names_keep_distinct_ids(codebook):
    a = SourceFile("访谈一.txt", "Speaker1:你好吗？\nSpeaker2:我很好。\n".encode())
    b = SourceFile("访谈二.txt", "Speaker1:你是谁？\nSpeaker2:工程师。\n".encode())
    graph = _build(codebook, a, b)
    assert sorted(r["id"] for r in graph.node_rows("Interview")) == ["访谈一", "访谈二"]
    participants = graph.node_rows("Participant")
    assert len(participants) == 2 and len(graph.rel_rows("SAID")) == 2


def test_ids_and_merges_do_not_depend_on_the_order_of_records(codebook):
    """Two coders' files of 'Interview 7' and another 'Interview 7' with other words: whichever
    comes first, the two coders' files merge and the other stays apart."""
    said = "We lost labels, then we lost the data, then we lost the whole team in one month."
    po = _delve("PO", [("Interviewee", said, ["Data-x"])])
    rached = _delve("Rached", [("Interviewee", said, ["Data-y"])])
    other = SourceFile(
        "other/interview-7-Ana.txt", b"Interview 7 - Ana\n\nInterviewee\n\nNothing alike here at all.\n\nQM-z\n"
    )
    shapes = set()
    for order in ([po, rached, other], [other, po, rached], [rached, other, po]):
        graph = build_graph([(s, r) for s in order for r in parse_source(s)], codebook)
        coded = {(r["coder"], r["dst"]) for r in graph.rel_rows("CODED_AS")}
        by_interview = {}
        for r in graph.rel_rows("CODED_AS"):
            by_interview.setdefault(graph.table("Excerpt")[r["src"]]["interview"], set()).add(r["coder"])
        shapes.add(frozenset(frozenset(c) for c in by_interview.values()))
        assert coded == {("PO", "data-x"), ("Rached", "data-y"), ("Ana", "qm-z")}
    assert shapes == {frozenset({frozenset({"PO", "Rached"}), frozenset({"Ana"})})}


def test_questions_are_their_own_nodes_and_ignored_codes_leave_the_graph(tmp_path):
    from click.testing import CliRunner

    from challenge_graph.cli import cli
    from challenge_graph.graph.codebook import default_codebook_path

    transcript = tmp_path / "Interview 7 - Ana.txt"
    transcript.write_text(
        "Interview 7 - Ana\n\nInterviewer\nWhat broke first?\n\nSpeaker 1\n"
        "The labels were noisy and we had to relabel.\nQ4.4\nData-noisy-labels\nScratch\n",
        encoding="utf-8",
    )
    codebook = tmp_path / "codebook.yaml"
    bundled = default_codebook_path().read_text(encoding="utf-8")
    codebook.write_text(bundled.replace("codes:\n", "codes:\n  Scratch: {kind: ignore}\n", 1), encoding="utf-8")
    db = tmp_path / "db"
    result = CliRunner().invoke(cli, ["load", str(transcript), "--codebook", str(codebook), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "codings left out, their codes are of kind ignore in the codebook: Scratch (1)" in result.output

    def rows(query):
        out = CliRunner().invoke(cli, ["cypher", query, "--db", str(db), "--format", "json"])
        return [tuple(r.values()) for r in json.loads(out.stdout)]

    assert rows("MATCH (q:Question) RETURN q.code") == [("Q4.4",)]
    assert rows("MATCH (c:Challenge) RETURN c.code") == [("Data-noisy-labels",)]
    assert rows("MATCH (n) WHERE n.code = 'Scratch' RETURN count(n)") == [(0,)]


def test_an_interviews_packed_turns_are_let_go_once_it_is_built_and_the_rows_are_the_same(codebook):
    """Records that come packed (from a worker or the parse cache) lose their turns once their
    interview is built, so that a load never holds every transcript; the rows do not change."""
    from challenge_graph.graph.kept_values import LazyRecords, pack, unpack

    text = INTERVIEW_35.read_text(encoding="utf-8")
    other = text.replace("Interview 35 - Ilan", "Interview 35 - PO", 1)
    sources = [_source(INTERVIEW_35), SourceFile("interview-35-po.txt", other.encode())]
    plain = [(s, r) for s in sources for r in parse_source(s)]
    packed = [(s, unpack(pack(r))) for s, r in plain]
    assert all(isinstance(r.turns, LazyRecords) for _, r in packed)
    a, b = build_graph(plain, codebook), build_graph(packed, codebook)
    a.read_held(), b.read_held()
    assert a.nodes == b.nodes and a.rels == b.rels
    assert len(packed[0][1].turns) == len(plain[0][1].turns)  # their number stays
    with pytest.raises(ValueError, match="released once their interview was built"):
        packed[1][1].turns[0]
    assert plain[0][1].turns[0].text  # turns held as a tuple stay

from __future__ import annotations

import random

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders import delve_text
from challenge_graph.loaders.delve_text import _HYPHENATED as HYPHENATED
from challenge_graph.loaders.delve_text import code_tags, is_code_line
from tests.conftest import INTERVIEW_35, INTERVIEW_38

SEED_003_CODES = {
    "Data-collection-public-datasets",
    "Data-consistency-issues",
    "Data-duplicates",
    "Data-low-quality",
    "Data-missing-value-fix",
    "Data-missing-values",
    "Data-noisy-features",
    "MLP-costly-platforms",
    "QM-data-privacy-issue-fix",
    "QM-reproducibility",
    "QM-robustness",
    "QM-robustness-fix",
    "feedback-loop",
}


def test_seed_003_title_coder_and_all_13_codes():
    iv = delve_text.load(INTERVIEW_35)
    assert (iv.id, iv.title, iv.coders) == ("interview-35", "Interview 35", ("Ilan",))
    assert {c.code for c in iv.codings} == SEED_003_CODES
    assert {c.coder for c in iv.codings} == {"Ilan"}
    # "Interview 35 - Ilan" names the coder, never a participant
    assert all("Ilan" not in s.pseudonym for s in iv.speakers)
    assert {s.label: s.role for s in iv.speakers} == {"Interviewer 1": "interviewer", "Interviewee": "participant"}


def test_code_tags_cover_the_paragraph_before_them():
    iv = delve_text.load(INTERVIEW_35)
    turns = {t.position: t for t in iv.turns}
    missing = next(c for c in iv.codings if c.code == "Data-missing-values")
    assert [turns[p].text[:40] for p in missing.positions] == ["Complete information or that they were r"]
    assert missing.line == 49
    # a tag repeated on consecutive paragraphs is one coding over several turns
    duplicates = next(c for c in iv.codings if c.code == "Data-duplicates")
    assert len(duplicates.positions) == 4
    assert duplicates.positions == tuple(range(duplicates.positions[0], duplicates.positions[0] + 4))


def test_noise_and_footer_are_ignored():
    iv = delve_text.load(INTERVIEW_38)
    texts = [t.text for t in iv.turns]
    assert not any("VIA." in t or "Created with the Delve" in t or t in {"ı", "_"} for t in texts)
    assert texts[-1] == "Bye."


def test_uncoded_delve_export_loads_with_a_message():
    iv = delve_text.load(INTERVIEW_38)
    # a file with no tags is not a coding of its interview: no coder, but we know who made it
    assert iv.codings == () and iv.coders == () and iv.file_coder == "Amin"
    assert iv.messages == ("no code tags found: loaded as an uncoded interview",)


def test_code_line_before_any_paragraph(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Interview 9 - Ana\n\nData-missing-values\n\nInterviewee\n\nText.\n")
    with pytest.raises(LoaderError) as e:
        delve_text.load(path)
    assert str(e.value) == f"{path}:3: code tag 'Data-missing-values' before any paragraph"


def test_missing_title(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("\nInterviewee\n\nText.\n")
    with pytest.raises(LoaderError, match=r"bad.txt:2: expected a Delve title line"):
        delve_text.load(path)


def _parse(text: str, **kwargs):
    return delve_text.parse(text.splitlines(), source="x.txt", **kwargs)


def test_codes_that_are_not_hyphenated_words_are_tags():
    iv = _parse(
        "Interview 5 - PO\n\nInterviewer\n\nWhat is quality?\n\nQ1\n\nQ4.4\n\nInterviewee\n\n"
        "Mostly the alerts.\n\nModel-Evaluation-issues [ME]\n\nQuality-Measures (QM)\n\n"
        "Issues with performance alerts\n\nmonitoring\n\nInterviewer\n\nAnd then?\n\nQ4.4\n\n"
        "Interviewee\n\nThat was it.\n\nQ4.4\n\nMisc\n"
    )
    tags = {(c.code, c.positions) for c in iv.codings}
    assert tags == {
        ("Q1", (0,)),
        ("Q4.4", (0,)),
        ("Q4.4", (2, 3)),
        ("Model-Evaluation-issues [ME]", (1,)),
        ("Quality-Measures (QM)", (1,)),
        ("Issues with performance alerts", (1,)),
        ("monitoring", (1,)),
        ("Misc", (3,)),
    }
    assert iv.tags_read == 9
    assert [t.text for t in iv.turns] == ["What is quality?", "Mostly the alerts.", "And then?", "That was it."]
    assert {s.label for s in iv.speakers} == {"Interviewer", "Interviewee"}  # Q4.4 is never a speaker
    assert any("'monitoring' ×1" in m for m in iv.messages)  # read by place: said so


def test_known_codes_are_tags_wherever_they_stand():
    text = "Interview 5 - PO\n\nInterviewee\n\nWe drifted.\n\ndrift\n\nWe drifted again.\n"
    assert [c.code for c in _parse(text).codings] == []
    assert [(c.code, c.positions) for c in _parse(text, known_codes={"drift"}).codings] == [("drift", (0,))]


def test_lowercase_labels():
    iv = _parse(
        "Interview 10 - PO\n\ninterviewer\n\nHow so?\n\ninterviewee\n\nLike that.\n\nData-drift\n\ninterviewer\n\nOk.\n"
    )
    assert [(t.speaker, t.role) for t in iv.turns] == [
        ("interviewer", "interviewer"),
        ("interviewee", "participant"),
        ("interviewer", "interviewer"),
    ]


@pytest.mark.parametrize("title", ["Interview 17- PO", "Interview 17 -PO", "Interview 17 – PO.txt"])
def test_titles_as_people_type_them(title):
    iv = _parse(f"{title}\n\nInterviewee\n\nYes.\n\nData-x\n")
    assert (iv.title, iv.coders) == ("Interview 17", ("PO",))


def test_a_labelled_first_line_is_a_turn_never_a_title():
    lines = ["Interviewer 1: okay so the system - uh, how does it work?", "Speaker 2: It trains."]
    assert not delve_text.looks_like_delve(lines)


def test_a_tagged_one_letter_paragraph_is_kept():
    iv = _parse("Interview 9 - PO\n\nInterviewee\n\nI\n\nData-x\n\nı\n\nInterviewee\n\nYes.\n")
    assert [t.text for t in iv.turns] == ["I", "Yes."]
    assert [(c.code, c.positions) for c in iv.codings] == [("Data-x", (0,))]


def test_a_label_glued_to_a_name_is_the_speakers_label():
    # the shape of Jiang et al.'s "Interviewer:ANONYMIZED_NAME", in a Delve text export
    iv = _parse(
        "Interview 3 - Ana\n\nInterviewer\n\nWhat broke?\n\nLeader 2\n\nThe loss.\n\nQ1\n\n"
        "Interviewer:ANONYMIZED_NAME\n\nAnd then?\n\nLeader 2\n\nWe fixed it.\n\nQ1\n\nLeader 2\n\nDone.\n"
    )
    # by hand: five paragraphs under labels Interviewer, Leader 2, Interviewer, Leader 2, Leader 2
    assert [(t.speaker, t.text) for t in iv.turns] == [
        ("Interviewer", "What broke?"),
        ("Leader 2", "The loss."),
        ("Interviewer", "And then?"),
        ("Leader 2", "We fixed it."),
        ("Leader 2", "Done."),
    ]
    assert {(c.code, c.positions) for c in iv.codings} == {("Q1", (1,)), ("Q1", (3,))}


def test_a_word_said_glued_to_a_label_is_kept_in_the_turn():
    iv = _parse(
        "Interview 3 - Ana\n\nInterviewer\n\nWhat broke?\n\nLeader 2\n\nThe loss.\n\nQ1\n\n"
        "Interviewer:Okay\n\nAnd then?\n\nLeader 2\n\nWe fixed it.\n\nQ1\n\nLeader 2\n\nDone.\n"
    )
    # by hand: as with a glued name, five paragraphs' speakers; "Okay" is the interviewer's, kept
    speakers = [t.speaker for t in iv.turns]
    assert speakers == ["Interviewer", "Leader 2", "Interviewer", "Interviewer", "Leader 2", "Leader 2"]
    assert [t.text for t in iv.turns][2:4] == ["Okay", "And then?"]


def _tags_by_splitting(line, known):
    """code_tags as its docstring states it, read by splitting the line into words."""
    text = line.strip()
    if is_code_line(text, known):
        return [text]
    words = text.split()
    if len(words) > 1 and all(HYPHENATED.match(w) and is_code_line(w) for w in words):
        return words
    return []


def test_code_tags_read_a_line_as_its_words_say():
    """Lines of prose, tags, several tags, and near misses, each asked twice (the answers are
    remembered): the tags are what the words of the line give."""
    rng = random.Random(7)
    pieces = [
        "Data-missing-values",
        "QM-robustness-fix",
        "Q4.4",
        "Mm-hmm",
        "yes",
        "the",
        "Data-x,",
        "(QM)",
        "Quality-Measures",
        "[ME]",
        "Loss_function",
        "a-b-",
        "-x",
        "Ünïcode-tag",
        "\t",
        "  ",
    ]
    known = {"monitoring", "Data-x,"}
    for _ in range(3000):
        line = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        for _ in range(2):
            assert code_tags(line, known) == _tags_by_splitting(line, known), repr(line)


def test_only_short_lines_are_remembered():
    """A paragraph's words are not kept by the parser once it is done with the file."""
    remembered = delve_text._short_line_tags.cache_info().currsize
    code_tags("A paragraph of prose, " * 20, ())
    assert delve_text._short_line_tags.cache_info().currsize == remembered
    code_tags(f"Tag-{remembered}-never-seen", ())
    assert delve_text._short_line_tags.cache_info().currsize == min(remembered + 1, 4096)

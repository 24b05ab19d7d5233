from __future__ import annotations

import random
import re

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders import plain_text
from challenge_graph.loaders.text import split_lines
from tests.conftest import ENGINEER_2, LEADER_4


def test_seed_000_speaker_on_own_line():
    iv = plain_text.load(LEADER_4)
    assert iv.id == "reengineering-leader-4"
    assert iv.format == "plain-transcript"
    assert {t.speaker for t in iv.turns} == {"Interviewer", "Leader 4"}
    # consecutive "Leader 4:" blocks stay separate turns
    assert len(iv.turns) == 29
    assert iv.turns[1].speaker == "Leader 4" and iv.turns[1].text == "Yeah."
    assert iv.turns[1].line == 4
    roles = {s.label: (s.role, s.pseudonym, s.participant_id) for s in iv.speakers}
    assert roles["Interviewer"][0] == "interviewer"
    assert roles["Leader 4"] == ("participant", "Leader 4", "leader-4")
    assert not iv.codings


def test_seed_001_tab_continuations_join_the_turn():
    iv = plain_text.load(ENGINEER_2)
    turn = next(t for t in iv.turns if t.text.startswith("Probably one year on machine learning"))
    assert turn.speaker == "Speaker 2"
    assert "Right after this, I have a startup experience" in turn.text
    assert turn.text.count("\n") == 4  # four tab-indented paragraphs joined to the turn
    roles = {s.label: s.role for s in iv.speakers}
    # generic labels: the interviewer is the one asking the questions
    assert roles == {"Speaker 1": "interviewer", "Speaker 2": "participant"}
    participant = next(s for s in iv.speakers if s.role == "participant")
    assert participant.participant_id == "reengineering-engineer-2-speaker-2"  # scoped to the interview


def test_inline_labels_crlf_and_bom(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(
        b"\xef\xbb\xbfInterviewer: What broke?\r\nP7: The loss.\r\n\tIt diverged.\r\n"
        b"Interviewer: Why?\r\nP7: Bad labels.\r\n"
    )
    iv = plain_text.load(path)
    assert [(t.speaker, t.text) for t in iv.turns] == [
        ("Interviewer", "What broke?"),
        ("P7", "The loss.\nIt diverged."),
        ("Interviewer", "Why?"),
        ("P7", "Bad labels."),
    ]
    assert [t.line for t in iv.turns] == [1, 2, 4, 5]


def test_colon_inside_text_is_not_a_speaker():
    iv = plain_text.parse(
        [
            "Interviewer: Tell me.",
            "Leader 4: We tried this:",
            "Note: not a speaker here",
            "Interviewer: Ok.",
            "Leader 4: Yes.",
        ],
        title="x",
    )
    assert [t.speaker for t in iv.turns] == ["Interviewer", "Leader 4", "Interviewer", "Leader 4"]
    assert "Note: not a speaker here" in iv.turns[1].text


def test_no_speaker_labels_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nwithout any speakers\n")
    with pytest.raises(LoaderError) as e:
        plain_text.load(path)
    assert str(e.value) == f"{path}: no speaker labels found (expected 'Name:' at the start of a line)"


def test_cjk_labels_without_space_and_the_interviewer_who_asks_first():
    lines = [
        "Speaker1:您同意录音吗？",
        "Speaker2:同意。",
        "Speaker1:教育背景是？",
        "Speaker2:教育背景是：计算机。",
        "Speaker2:我做模型。",
        "Speaker1:好的。",
    ]
    iv = plain_text.parse(lines, title="访谈")
    assert [t.speaker for t in iv.turns] == ["Speaker1", "Speaker2", "Speaker1", "Speaker2", "Speaker2", "Speaker1"]
    assert iv.turns[3].text == "教育背景是：计算机。"
    assert {s.label: s.role for s in iv.speakers} == {"Speaker1": "interviewer", "Speaker2": "participant"}


def test_a_labelled_first_line_with_a_dash_is_a_turn(tmp_path):
    from challenge_graph.graph.model import SourceFile
    from challenge_graph.loaders import parse_source

    text = "Interviewer 1: okay so the system - uh, how was it?\nSpeaker 2: Fine.\nInterviewer 1: Good.\n"
    (iv,) = parse_source(SourceFile("t.txt", text.encode()))
    assert iv.format == "plain-transcript" and iv.title == "t"
    assert [t.role for t in iv.turns] == ["interviewer", "participant", "interviewer"]


# Jiang et al., Interview_leader2&3.txt, line 262: the interviewer's label glued to the redacted
# name, on a line of its own, then the question. Made-up words in the same shape.
GLUED = """Interviewer:
What did you work on first?

Leader 2:
We ported the detector.

Leader 2:
Then we trained it again.

Interviewer:ANONYMIZED_NAME
And what was hard about the training?

Leader 2:
The loss did not match.
"""


def test_a_label_glued_to_a_name_on_its_own_line_starts_the_speakers_turn(tmp_path):
    path = tmp_path / "Interview_leader2&3.txt"
    path.write_text(GLUED)
    iv = plain_text.load(path)
    # by hand: four labels, one turn each; the glued name is dropped, not quoted
    assert [(t.speaker, t.role, t.text, t.line) for t in iv.turns] == [
        ("Interviewer", "interviewer", "What did you work on first?", 1),
        ("Leader 2", "participant", "We ported the detector.", 4),
        ("Leader 2", "participant", "Then we trained it again.", 7),
        ("Interviewer", "interviewer", "And what was hard about the training?", 10),
        ("Leader 2", "participant", "The loss did not match.", 13),
    ]
    assert not any("ANONYMIZED" in t.text for t in iv.turns)


def test_words_glued_to_a_colon_are_not_labels_unless_a_known_label_and_a_name():
    iv = plain_text.parse(
        [
            "Interviewer: Tell me.",
            "Leader 4: We tried a new schedule.",
            "Note:the schedule helped.",  # lower case, and words follow: text
            "Schedule:Cosine",  # not a speaker of this file: text
            "Results",
            "Interviewer: Ok.",
            "Leader 4:Yes",  # glued, but the next line is a label: not a name
            "Interviewer: Good.",
        ],
        title="x",
    )
    assert [t.speaker for t in iv.turns] == ["Interviewer", "Leader 4", "Interviewer", "Interviewer"]
    assert iv.turns[1].text == "We tried a new schedule.\nNote:the schedule helped.\nSchedule:Cosine\nResults"
    assert "Yes" in iv.turns[2].text  # kept as words, never dropped as a name


def test_a_word_said_glued_to_a_label_starts_the_turn_and_is_kept():
    lines = GLUED.replace("Interviewer:ANONYMIZED_NAME", "Interviewer:Okay").splitlines()
    iv = plain_text.parse(lines, title="t")
    # by hand: the same five turns, the fourth opening with the word said
    assert [(t.speaker, t.text) for t in iv.turns][3] == ("Interviewer", "Okay\nAnd what was hard about the training?")
    assert len(iv.turns) == 5


def test_lines_split_on_crlf_cr_and_lf_only():
    """Against the pattern the splitter is defined by; other Unicode line breaks stay inside a line."""
    pattern = re.compile(r"\r\n|\r|\n")
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(
            rng.choice(["a", " ", "\r", "\n", "\r\n", "\u2028", "\x85", "\x0c"]) for _ in range(rng.randint(0, 12))
        )
        expected = pattern.split(text)
        if expected and expected[-1] == "":
            expected.pop()
        assert split_lines(text) == expected, repr(text)

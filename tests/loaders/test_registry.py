from __future__ import annotations

from challenge_graph.graph.model import CodingSet, Interview, Protocol, SourceFile
from challenge_graph.loaders import load_paths, parse_source
from tests.conftest import EXAMPLES


def test_files_are_told_apart_by_content():
    result = load_paths([EXAMPLES])
    kinds = {s.name: type(r).__name__ for s, r in result.records}
    # files in a study folder are named <study-id>/<path in the folder>; the study files hold no records
    assert kinds == {
        "jiang-2024/codings/reengineering-engineer-2.codings.yaml": "CodingSet",
        "jiang-2024/codings/reengineering-leader-4.codings.yaml": "CodingSet",
        "cote-2024/delve/interview-35-ilan.txt": "Interview",
        "cote-2024/delve/interview-38-amin.txt": "Interview",
        "cote-2024/participants.csv": "ParticipantSheet",
        "jiang-2024/participants.csv": "ParticipantSheet",
        "jiang-2024/protocols/cv-reengineering-leader-protocol.txt": "Protocol",
        "jiang-2024/transcripts/reengineering-engineer-2.txt": "Interview",
        "jiang-2024/transcripts/reengineering-leader-4.txt": "Interview",
    }
    assert result.skipped == [str(EXAMPLES / "README.md")]


def test_a_file_in_a_study_folder_is_named_by_its_study_however_it_is_reached():
    from challenge_graph.loaders import read_sources

    by_folder = {s.name: s.sha256 for s in read_sources([EXAMPLES])[0]}
    alone = read_sources([EXAMPLES / "jiang-2024" / "transcripts" / "reengineering-leader-4.txt"])[0]
    # the study's own files come along, named as when the whole corpus is read
    assert sorted(s.name for s in alone) == [
        "jiang-2024/codebook.yaml",
        "jiang-2024/study.yaml",
        "jiang-2024/transcripts/reengineering-leader-4.txt",
    ]
    assert all(by_folder[s.name] == s.sha256 for s in alone)


def test_broken_files_are_listed_and_the_others_load(tmp_path):
    (tmp_path / "good.txt").write_text("Interviewer: Hi?\nP1: Hello.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.txt").write_bytes("Interviewer: Ça va?\nP1: Très bien.\n".encode("latin-1"))
    (tmp_path / "nolabels.txt").write_text("no speakers at all\n")
    result = load_paths([tmp_path])
    assert [s.name for s, _ in result.records] == ["good.txt"]
    messages = sorted(str(e) for e in result.rejected)
    assert messages == [
        f"{tmp_path / 'binary.txt'}: binary file, not a text transcript",
        f"{tmp_path / 'empty.txt'}: empty file",
        f"{tmp_path / 'latin1.txt'}:1: not UTF-8 text (byte 0xC7); re-save the file as UTF-8",
        f"{tmp_path / 'nolabels.txt'}: no speaker labels found (expected 'Name:' at the start of a line)",
    ]


def test_unknown_suffix_given_explicitly_is_rejected():
    result_error = None
    try:
        parse_source(SourceFile("slides.pptx", b"PK..."))
    except Exception as e:  # noqa: BLE001 - the type is what is tested
        result_error = e
    assert type(result_error).__name__ == "UnsupportedFormatError"
    assert str(result_error).startswith("slides.pptx: no loader for '.pptx'")


def test_record_types():
    assert {Interview, CodingSet, Protocol}

"""REFI-QDA projects: the qc-demo sample and hostile or broken archives."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from challenge_graph.graph.build import build_graph
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import SourceFile
from challenge_graph.loaders import parse_source
from challenge_graph.loaders.refi_qda import parse_qdpx
from tests.conftest import FIXTURES

QDPX = FIXTURES / "qdpx" / "qc-demo.qdpx"


def _project_xml():
    with zipfile.ZipFile(QDPX) as z:
        return z.read("project.qde").decode("utf-8")


def test_sample_loads_two_sources_and_every_selection():
    interviews = parse_qdpx(QDPX.read_bytes(), "qc-demo.qdpx")
    assert [(iv.id, iv.format) for iv in interviews] == [("board-2017", "refi-qda"), ("admin-1", "refi-qda")]
    board, admin = interviews
    xml = _project_xml()
    selections = re.findall(r'<PlainTextSelection [^>]*startPosition="(\d+)" endPosition="(\d+)"', xml)
    assert len(selections) == 158
    assert len(board.codings) == len(re.findall("<CodeRef ", xml)) == 205
    assert all(c.positions for c in board.codings)  # every selection falls in some turn
    assert board.coders == ("cp",) and admin.codings == ()
    text = SourceText.of("board_2017.txt")
    spans = {c.positions for c in board.codings}
    # the first selection (320-400) lies in the second turn of Speaker 2
    first = next(c for c in board.codings if c.code == "fun")
    assert board.turns[first.positions[0]].speaker == "Speaker 2"
    assert text[320:400].strip().split()[0] in board.turns[first.positions[0]].text
    assert spans


class SourceText:
    @staticmethod
    def of(name):
        with zipfile.ZipFile(QDPX) as z:
            return z.read(f"sources/{name}").decode("utf-8")


def test_code_tree_gives_categories_and_unknown_codes_are_kept(codebook):
    source = SourceFile("qc-demo.qdpx", QDPX.read_bytes())
    graph = build_graph([(source, r) for r in parse_source(source)], codebook)
    challenges = {c["code"]: c for c in graph.node_rows("Challenge")}
    assert challenges["fun"]["category"] == "rq2_curriculum_and_instruction"
    assert challenges["fun"]["known"] is False and "fun" in graph.unknown_codes


def _qdpx(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


PROJECT = (
    '<Project xmlns="urn:QDA-XML:project:1.0"><Users><User name="ana" guid="u1"/></Users>'
    '<CodeBook><Codes><Code name="Data" guid="c0"><Code name="Data-missing-values" guid="c1"/></Code></Codes>'
    "</CodeBook>"
    '<Sources><TextSource name="p1" plainTextPath="internal://p1.txt" guid="s1">'
    '<PlainTextSelection guid="x" startPosition="{start}" endPosition="{end}">'
    '<Coding guid="k" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>'
    "</TextSource></Sources></Project>"
)
TEXT = "Interviewer: Was data missing?\n\nP1: Yes, the café lists lost rows.\n"


def test_tolerant_of_folder_and_project_names_and_non_ascii_offsets():
    start = TEXT.index("café")  # offsets count characters, not bytes
    data = _qdpx({"export.qde": PROJECT.format(start=start, end=start + 4), "Sources/p1.txt": TEXT.encode()})
    [iv] = parse_qdpx(data, "x.qdpx")
    [coding] = iv.codings
    assert (coding.code, coding.coder, coding.category) == ("Data-missing-values", "ana", "Data")
    assert iv.turns[coding.positions[0]].text.startswith("Yes, the café")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"project.qde": b"<notxml"}, "project.qde is not well-formed XML"),
        ({"project.qde": b"<html/>"}, "project.qde is not REFI-QDA project XML"),
        ({"readme.txt": b"hi"}, "no .qde file in the archive"),
        (
            {"p.qde": PROJECT.format(start=0, end=9999).encode(), "sources/p1.txt": TEXT.encode()},
            "has offsets 0-9999 outside the text",
        ),
        (
            {"p.qde": PROJECT.format(start=0, end=5).encode()},
            "text source file 'internal://p1.txt' is not in the archive",
        ),
    ],
)
def test_bad_projects_are_clear_errors(files, message):
    with pytest.raises(LoaderError) as e:
        parse_qdpx(_qdpx(files), "bad.qdpx")
    assert str(e.value).startswith("bad.qdpx") and message in str(e.value)


def test_corrupt_zip_and_zip_bomb():
    with pytest.raises(LoaderError, match="corrupt ZIP"):
        parse_qdpx(b"PK\x03\x04 broken", "bad.qdpx")
    bomb = _qdpx({"p.qde": PROJECT.format(start=0, end=5).encode(), "sources/p1.txt": b"a" * 50_000_000})
    with pytest.raises(LoaderError, match="refused as a possible zip bomb"):
        parse_qdpx(bomb, "bomb.qdpx")


def test_zip_slip_names_are_never_written(tmp_path, monkeypatch):
    """Where an extracting loader would write `../../evil.qde` and its sources (the working
    folder, two levels up, the temporary folder) nothing appears: the archive is read in memory."""
    import tempfile

    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    data = _qdpx({"../../evil.qde": PROJECT.format(start=0, end=5).encode(), "sources/p1.txt": TEXT.encode()})
    [iv] = parse_qdpx(data, "slip.qdpx")
    assert iv.id == "p1"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_selection_offsets_that_are_not_numbers_are_a_loader_error():
    project = PROJECT.format(start="abc", end=5)
    with pytest.raises(LoaderError, match=r"bad.qdpx: selection .* has startPosition='abc', not a whole number"):
        parse_qdpx(_qdpx({"p.qde": project.encode(), "sources/p1.txt": TEXT.encode()}), "bad.qdpx")


def test_text_is_bounded_while_it_is_read(monkeypatch):
    """A project whose text is small when packed and huge when read (inside both zip limits) is
    refused once the text read passes max_text_bytes, before it is parsed."""
    import random

    from challenge_graph.loaders import refi_qda

    monkeypatch.setitem(refi_qda.LIMITS, "max_text_bytes", 1_000_000)
    words = [f"w{i}" for i in range(5000)]
    rng = random.Random(1)
    big = ("Interviewer: " + " ".join(rng.choice(words) for _ in range(600_000)) + "\n").encode()
    data = _qdpx({"p.qde": PROJECT.format(start=0, end=5).encode(), "sources/p1.txt": big})
    with pytest.raises(LoaderError, match=r"big.qdpx: the project holds more than 1000000 bytes of text"):
        parse_qdpx(data, "big.qdpx")
    assert refi_qda.LIMITS["max_unpacked_bytes"] > len(big)  # the archive limits alone let it through
    monkeypatch.undo()
    assert refi_qda.LIMITS["max_text_bytes"] <= 100 * 1024 * 1024  # far below the 490 MB


def test_cases_and_variables_become_participant_attributes(codebook):
    project = PROJECT.format(start=0, end=5).replace(
        "</Sources>",
        '</Sources><Variables><Variable name="Years" guid="v1" typeOfVariable="Integer"/></Variables>'
        '<Cases><Case name="P1" guid="k1"><VariableValue><VariableRef targetGUID="v1"/><IntegerValue>7</IntegerValue>'
        '</VariableValue><SourceRef targetGUID="s1"/></Case></Cases>',
    )
    source = SourceFile("cases.qdpx", _qdpx({"p.qde": project.encode(), "sources/p1.txt": TEXT.encode()}))
    records = parse_source(source)
    graph = build_graph([(source, r) for r in records], codebook)
    [participant] = graph.node_rows("Participant")
    assert participant["pseudonym"] == "P1" and participant["attributes"] == '{"years": "7"}'

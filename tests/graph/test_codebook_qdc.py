"""REFI-QDA codebooks (.qdc) read as codebooks, and projects with codes and no coding (a MAXQDA
project of codes with sources, an ATLAS.ti project of codes alone) loaded as the codebook."""

from __future__ import annotations

import io
import zipfile

import pytest
from click.testing import CliRunner

from challenge_graph.cli.main import cli
from challenge_graph.graph.codebook_qdc import parse_qdc
from challenge_graph.graph.errors import CodebookError
from challenge_graph.store.ladybug_store import LadybugStore

G = "00000000-0000-0000-0000-{:012d}"
FOREIGN = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="{G.format(1)}" name="Data problems" isCodable="false">
      <Code guid="{G.format(2)}" name="Missing labels" isCodable="true">
        <Description>Rows arrive without labels.</Description>
        <Code guid="{G.format(3)}" name="Late labels" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="{G.format(4)}" name="Relabel by hand" isCodable="true" color="#009E73">
      <Description>Label: Relabelling by hand
Someone relabels the rows.</Description>
    </Code>
    <Code guid="{G.format(5)}" name="Q1" isCodable="true"/>
  </Codes>
  <Sets>
    <Set guid="{G.format(10)}" name="Stage: Data preparation">
      <MemberCode guid="{G.format(2)}"/><MemberCode guid="{G.format(3)}"/><MemberCode guid="{G.format(4)}"/>
    </Set>
    <Set guid="{G.format(11)}" name="Stage: Labelling campaign"><MemberCode guid="{G.format(3)}"/></Set>
    <Set guid="{G.format(12)}" name="Kind: fix"><MemberCode guid="{G.format(4)}"/></Set>
    <Set guid="{G.format(13)}" name="Addresses: Missing labels"><MemberCode guid="{G.format(4)}"/></Set>
    <Set guid="{G.format(14)}" name="Favourites"><MemberCode guid="{G.format(2)}"/></Set>
  </Sets>
</CodeBook>
"""


def test_a_foreign_codebook_gives_codes_categories_stages_kinds_and_fixes():
    book = parse_qdc(FOREIGN.encode(), "codes.qdc")
    assert [s.name for s in book.stages] == ["Data preparation", "Labelling campaign"]
    missing = book.classify("Missing labels")
    assert (missing.label, missing.category, missing.description) == (
        "Challenge",
        "Data problems",
        "Rows arrive without labels.",
    )
    assert book.classify("late labels").category == "Data problems"  # a code under a code: the top folder
    assert book.classify("Late labels").stage == book.stage("Data preparation").id  # its first stage set
    fix = book.classify("Relabel by hand")
    assert (fix.label, fix.name, fix.addresses) == ("Fix", "Relabelling by hand", "Missing labels")
    assert fix.description == "Someone relabels the rows."
    assert book.classify("Q1").label == "Question"  # the bundled protocol question pattern holds
    assert book.classify("Data-missing-values").known is False  # the bundled prefix rules do not


def test_a_stage_the_bundled_codebook_knows_keeps_its_reference_mapping(codebook):
    book = parse_qdc(FOREIGN.encode(), "codes.qdc")
    bundled = codebook.stage("Data preparation")
    assert book.stage("Data preparation").maps_to == bundled.maps_to != ()
    assert book.stage("Labelling campaign").maps_to == ()


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>", "line 1"),
        ("<Codes/>", "not a REFI-QDA codebook"),
        ("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "holds no code"),
    ],
)
def test_a_broken_codebook_says_what_is_wrong(xml, message):
    with pytest.raises(CodebookError) as caught:
        parse_qdc(xml.encode(), "codes.qdc")
    assert message in str(caught.value) and "codes.qdc" in str(caught.value)


def _project(codes: str, sources: str = "") -> bytes:
    xml = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>{codes}</Codes></CodeBook>'
        + (f"<Sources>{sources}</Sources>" if sources else "")
        + "</Project>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", xml)
        if sources:
            archive.writestr("sources/s1.txt", "Interviewer: What went wrong?\n\nP1: The labels came late.\n")
    return out.getvalue()


CODES = "".join(f'<Code guid="{G.format(i)}" name="Code {i}" isCodable="true"/>' for i in range(1, 4))


def test_an_atlas_ti_shape_codes_and_no_sources_loads_as_the_codebook(tmp_path):
    project = tmp_path / "codes-only.qdpx"
    project.write_bytes(_project(CODES))
    transcript = tmp_path / "t.txt"
    transcript.write_text("Interviewer: What went wrong?\n\nP1: The labels came late.\n", encoding="utf-8")
    db = tmp_path / "db"
    result = CliRunner().invoke(cli, ["load", str(project), str(transcript), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"note: {project} holds 3 codes and no coding: read as the codebook" in result.output
    store = LadybugStore(db)
    assert store.codebook().name == "codes-only.qdpx"
    assert store.run("MATCH (i:Interview) RETURN count(i)").rows == [(1,)]
    store.close()


def test_a_maxqda_shape_codes_and_uncoded_sources_loads_both(tmp_path):
    source = f'<TextSource guid="{G.format(9)}" name="s1" plainTextPath="internal://s1.txt"/>'
    project = tmp_path / "maxqda.qdpx"
    project.write_bytes(_project(CODES, source))
    db = tmp_path / "db"
    result = CliRunner().invoke(cli, ["load", str(project), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "holds 3 codes and no coding" in result.output
    store = LadybugStore(db)
    assert store.codebook().name == "maxqda.qdpx"
    assert store.run("MATCH (i:Interview) RETURN i.title").rows == [("s1",)]
    store.close()


def test_an_unpacked_project_of_codes_alone_loads_as_the_codebook(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    with zipfile.ZipFile(io.BytesIO(_project(CODES))) as archive:
        (folder / "project.qde").write_bytes(archive.read("project.qde"))
    db = tmp_path / "db"
    result = CliRunner().invoke(cli, ["load", str(folder / "project.qde"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "holds 3 codes and no coding: read as the codebook" in result.output
    store = LadybugStore(db)
    assert store.codebook().name == "project.qde"
    store.close()


def test_a_project_of_codes_alone_inside_a_folder_says_how_to_load_it(tmp_path):
    (tmp_path / "codes-only.qdpx").write_bytes(_project(CODES))
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert "no text sources (its 3 codes load as the codebook: challenge-graph load codes-only.qdpx)" in result.output


def test_one_name_under_two_folders_is_one_code_described_as_the_first(tmp_path):
    xml = f"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
      <Code guid="{G.format(1)}" name="Data" isCodable="false">
        <Code guid="{G.format(2)}" name="Other" isCodable="true"><Description>data other</Description></Code>
      </Code>
      <Code guid="{G.format(3)}" name="Model" isCodable="false">
        <Code guid="{G.format(4)}" name="other" isCodable="true"><Description>model other</Description></Code>
      </Code></Codes>
      <Sets><Set guid="{G.format(5)}" name="Kind: fix"><MemberCode guid="{G.format(4)}"/></Set></Sets>
    </CodeBook>"""
    book = parse_qdc(xml.encode(), "codes.qdc")
    other = book.classify("OTHER")
    assert (other.label, other.category, other.description) == ("Challenge", "Data", "data other")
    assert book.notes == (
        "codes: code 'other' (in Model) is also 'Other' (in Data): read as one code, described as the first",
    )
    (tmp_path / "codes.qdc").write_text(xml, encoding="utf-8")
    (tmp_path / "t.txt").write_text("Interviewer: Why?\n\nP1: Because.\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["load", str(tmp_path / "codes.qdc"), str(tmp_path / "t.txt"), "--db", str(tmp_path / "db")]
    )
    assert result.exit_code == 0 and "is also 'Other' (in Data): read as one code" in result.output

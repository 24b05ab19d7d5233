"""REFI-QDA both ways: every .qdpx and .qdc written validates against the REFI-QDA schemas, and a
project loads back into a fresh store with the same interviews, turns, coders and codings, row
for row (the examples, the nine Delve PDFs, the qc sample project)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from challenge_graph.cli.main import cli
from challenge_graph.export.refi_qda import codebook_xml, project_xml, write_qdc, write_qdpx
from challenge_graph.graph.errors import QueryError
from challenge_graph.graph.model import CODE_LABELS
from challenge_graph.graph.qda_project import ProjectCode, ProjectCoding, ProjectSource, ProjectTurn, QdaProject
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.qda_project import read_project
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import FIXTURES

SCHEMAS = FIXTURES / "refi-qda"
QE = "{urn:QDA-XML:project:1.0}"


def _schema(name: str):
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def assert_valid_project(path: Path) -> etree._Element:
    """The .qde inside ``path`` validates against Project-mrt2019.xsd; its parsed root."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    schema = _schema("Project-mrt2019.xsd")
    assert schema.validate(root), schema.error_log
    return root


def assert_valid_codebook(path: Path) -> None:
    schema = _schema("Codebook-mrt2019.xsd")
    assert schema.validate(etree.parse(str(path))), schema.error_log


# --- what a store holds, read with plain Cypher (not with the exporter's reader) ---------------
def interviews(store, study="default"):
    rows = store.run("MATCH (i:Interview) WHERE i.study = $s RETURN i.title AS t ORDER BY t", {"s": study}).rows
    return [t for (t,) in rows]


def turns(store, study="default"):
    return store.run(
        "MATCH (e:Excerpt)-[:FROM]->(i:Interview) WHERE i.study = $s "
        "RETURN i.title AS t, e.position AS p, e.speaker AS s, e.role AS r, e.text AS x ORDER BY t, p",
        {"s": study},
    ).rows


def codings(store, study="default"):
    found = []
    for label in CODE_LABELS:
        found += store.run(
            f"MATCH (e:Excerpt)-[r:CODED_AS]->(c:{label}) MATCH (e)-[:FROM]->(i:Interview) WHERE i.study = $s "
            "RETURN i.title AS t, e.position AS p, c.code AS code, r.coder AS k",
            {"s": study},
        ).rows
    return sorted(found)


def coders(store, study="default"):
    return store.run(
        "MATCH (c:Coder)-[:CODED]->(i:Interview) WHERE i.study = $s "
        "RETURN DISTINCT c.name AS n, c.consensus AS k ORDER BY n",
        {"s": study},
    ).rows


def participants(store, study="default"):
    return store.run(
        "MATCH (p:Participant)-[:INTERVIEWED_IN]->(i:Interview) WHERE i.study = $s "
        "RETURN p.pseudonym AS n, p.attributes AS a, i.title AS t ORDER BY n, t",
        {"s": study},
    ).rows


def reloaded(tmp_path: Path, qdpx: Path) -> LadybugStore:
    store = LadybugStore(tmp_path / "reloaded")
    report = ingest(store, [qdpx])
    assert not report.rejected, report.rejected
    return store


def assert_same(original, copy, study="default") -> None:
    assert interviews(copy) == interviews(original, study)
    assert turns(copy) == turns(original, study)
    assert codings(copy) == codings(original, study)
    assert coders(copy) == coders(original, study)
    assert participants(copy) == participants(original, study)


# --- round trips ----------------------------------------------------------------------------
def test_examples_round_trip_row_for_row(sample_store, tmp_path):
    out = tmp_path / "examples.qdpx"
    written = write_qdpx(read_project(sample_store), out)
    assert_valid_project(out)
    copy = reloaded(tmp_path, out)
    assert_same(sample_store, copy)
    assert written.codings == len(codings(sample_store)) > 0
    copy.close()


def test_delve_pdfs_round_trip_with_the_consensus_coder(delve_store, tmp_path):
    out = tmp_path / "delve.qdpx"
    write_qdpx(read_project(delve_store), out)
    root = assert_valid_project(out)
    copy = reloaded(tmp_path, out)
    assert_same(delve_store, copy)
    assert ("Amin", True) in coders(copy)  # the moderated files' coder stays the consensus coder
    users = {u.get("name") for u in root.iter(QE + "User")}
    assert users == {name for name, _ in coders(delve_store)}
    copy.close()


def test_sample_project_round_trip(tmp_path):
    original = LadybugStore(tmp_path / "original")
    assert not ingest(original, [FIXTURES / "qdpx" / "qc-demo.qdpx"]).rejected
    out = tmp_path / "again.qdpx"
    write_qdpx(read_project(original), out)
    assert_valid_project(out)
    copy = reloaded(tmp_path, out)
    assert_same(original, copy)
    copy.close()
    original.close()


def test_each_study_of_several_round_trips_alone(studies_store, tmp_path):
    for study in ("jiang-2024", "cote-2024"):
        out = tmp_path / f"{study}.qdpx"
        write_qdpx(read_project(studies_store, study), out)
        assert_valid_project(out)
        copy = LadybugStore(tmp_path / study)
        assert not ingest(copy, [out]).rejected
        assert_same(studies_store, copy, study)
        copy.close()


def test_several_studies_need_a_study_and_an_unknown_one_is_named(studies_store):
    with pytest.raises(QueryError, match="several studies .*cote-2024.*jiang-2024.*give --study"):
        read_project(studies_store)
    with pytest.raises(QueryError, match="no study 'nope'"):
        read_project(studies_store, "nope")
    by_title = studies_store.run("MATCH (s:Study {id: 'jiang-2024'}) RETURN s.title").rows[0][0]
    assert read_project(studies_store, by_title.upper()).study == "jiang-2024"


# --- offsets, counted another way -----------------------------------------------------------
def test_every_selection_spans_its_own_turn_text_exactly(sample_store):
    """Each selection's offsets, read as code points of the source file, give the text of the
    turn its codings are on (the turns and codings read from the store with plain Cypher)."""
    xml, texts, selections, _ = project_xml(read_project(sample_store))
    root = etree.fromstring(xml)
    text_of = {(title, position): text for title, position, _speaker, _role, text in turns(sample_store)}
    coded = {}
    for title, position, code, coder in codings(sample_store):
        coded.setdefault((title, coder), {}).setdefault(position, set()).add(code)
    users = {u.get("guid"): u.get("name") for u in root.iter(QE + "User")}
    codes = {c.get("guid"): c.get("name") for c in root.iter(QE + "Code")}
    seen = 0
    for source in root.iter(QE + "TextSource"):
        title = source.get("name")
        text = texts["sources/" + source.get("plainTextPath").removeprefix("internal://")]
        for selection in source.iter(QE + "PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            names = {codes[ref.get("targetGUID")] for ref in selection.iter(QE + "CodeRef")}
            positions = coded[(title, users[selection.get("creatingUser")])]
            (position,) = [p for p, on in positions.items() if text_of[(title, p)] == text[start:end] and on == names]
            seen += 1
    assert seen == selections == len({(t, p, k) for t, p, _, k in codings(sample_store)}) > 0


def test_astral_characters_count_as_one_code_point_each(tmp_path):
    """Emoji and other characters outside the BMP: offsets in code points, as the standard says,
    and the turns and codings come back whole."""
    speech = ["Interviewer", "What broke? 🤔", "Leader 4", "The 𝑙𝑜𝑠𝑠 went NaN 😱 after 𠀀 steps.", "Leader 4", "ok"]
    source = ProjectSource(
        "astral",
        "Astral",
        tuple(ProjectTurn(i // 2, speech[i], speech[i + 1]) for i in range(0, 6, 2)),
        (ProjectCoding(1, "loss-nan", "ana"), ProjectCoding(2, "loss-nan", "ana")),
    )
    project = QdaProject(
        "astral", "default", (source,), (ProjectCode("loss-nan", "Loss-nan", "Loss-nan", "challenge"),)
    )
    xml, texts, *_ = project_xml(project)
    text = next(iter(texts.values()))
    starts = [int(s.get("startPosition")) for s in etree.fromstring(xml).iter(QE + "PlainTextSelection")]
    assert text[starts[0] : starts[0] + 5] == "The 𝑙"
    assert text.encode("utf-16-le")[2 * starts[0] : 2 * starts[0] + 2] != "T".encode("utf-16-le")  # not UTF-16
    out = tmp_path / "astral.qdpx"
    write_qdpx(project, out)
    assert_valid_project(out)
    copy = reloaded(tmp_path, out)
    assert [x for *_, x in turns(copy)] == [speech[1], speech[3], speech[5]]
    assert codings(copy) == [("Astral", 1, "Loss-nan", "ana"), ("Astral", 2, "Loss-nan", "ana")]
    copy.close()


# --- codebooks ------------------------------------------------------------------------------
def test_codebook_round_trip_keeps_kinds_stages_categories_and_labels(delve_store, tmp_path):
    out = tmp_path / "codebook.qdc"
    write_qdc(read_project(delve_store), out)
    assert_valid_codebook(out)
    copy = LadybugStore(tmp_path / "with-qdc")
    assert not ingest(copy, [FIXTURES / "delve-pdf"], codebook_path=out).rejected
    query = (
        "MATCH (c:{label}) OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage) "
        "RETURN c.code AS code, c.name AS name, c.kind AS kind, c.category AS category, s.name AS stage ORDER BY code"
    )
    for label in CODE_LABELS:
        assert copy.run(query.format(label=label)).rows == delve_store.run(query.format(label=label)).rows
    fixes = (
        "MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge) RETURN f.code AS fix, c.code AS challenge ORDER BY fix, challenge"
    )
    assert copy.run(fixes).rows == delve_store.run(fixes).rows
    copy.close()


def test_codebook_needs_a_code():
    with pytest.raises(ValueError, match="no codes"):
        codebook_xml(QdaProject("empty", "default", (), ()))


# --- the command line -----------------------------------------------------------------------
def test_cli_exports_a_project_and_a_codebook_the_same_bytes_twice(tmp_path, one_study):
    db = str(tmp_path / "db")
    runner = CliRunner()
    assert runner.invoke(cli, ["load", str(one_study), "--db", db, "--silent"]).exit_code == 0
    first = runner.invoke(cli, ["export", str(tmp_path / "a.qdpx"), "--db", db])
    assert first.exit_code == 0, first.output
    assert "sources" in first.output and "not in the project:" in first.output
    assert runner.invoke(cli, ["export", str(tmp_path / "b.qdpx"), "--db", db]).exit_code == 0
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    done = runner.invoke(cli, ["export", str(tmp_path / "c.qdc"), "--db", db])
    assert done.exit_code == 0, done.output
    assert_valid_codebook(tmp_path / "c.qdc")
    refused = runner.invoke(cli, ["export", str(tmp_path / "d.qdpx"), "--db", db, "--stage", "x"])
    assert refused.exit_code != 0 and "whole study" in refused.output


def test_cli_loads_a_qdc_given_among_the_paths(tmp_path, delve_store):
    out = tmp_path / "codebook.qdc"
    write_qdc(read_project(delve_store), out)
    runner = CliRunner()
    db = str(tmp_path / "db")
    done = runner.invoke(cli, ["load", str(out), str(FIXTURES / "delve-pdf"), "--db", db, "--silent"])
    assert done.exit_code == 0, done.output
    stored = LadybugStore(db)
    assert stored.codebook().name == "codebook.qdc"
    stored.close()
    twice = runner.invoke(cli, ["load", str(out), str(out), "--db", db])
    assert twice.exit_code != 0 and "one codebook at a time" in twice.output


def test_a_broken_qdc_names_the_file(tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad), str(FIXTURES / "qdpx")])
    assert result.exit_code != 0 and "bad.qdc" in result.output and "line 1" in result.output


@pytest.mark.neo4j
def test_neo4j_exports_the_same_project_bytes(neo4j_examples, sample_store):
    assert project_xml(read_project(neo4j_examples)) == project_xml(read_project(sample_store))


def test_zip_holds_the_project_and_one_text_per_source(sample_store, tmp_path):
    out = tmp_path / "x.qdpx"
    written = write_qdpx(read_project(sample_store), out)
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        names = archive.namelist()
    assert names[0] == "project.qde" and sum(n.startswith("sources/") for n in names) == written.sources
    assert written.sources == len(interviews(sample_store))


AWKWARD = [  # (interview, speaker, text, code, coder): labels and texts a plain transcript could not hold
    ("leader.4", "Interviewer", "What was hard?", "", ""),
    ("leader.4", "Speaker #2", "The loss function.\nNote: this was in May.", "Loss-complexity", "ana"),
    ("leader.4", "Dr: Who", "Interviewer: quoted him, then left.", "Data-missing-values", "ana"),
    ("leader.4", "", "(inaudible)", "", ""),
    ("leader.4", "The senior engineer of the team", "We ported it 🤔 twice.", "Impl-framework-porting", "bo"),
    ("Dr. Smith interview", "2nd engineer", "Nothing else.", "Loss-complexity", "bo"),
]


def test_labels_and_titles_a_plain_transcript_cannot_hold_round_trip(tmp_path):
    """Turns come back whatever their labels (``Speaker #2``, ``Dr: Who``, none, five words) or
    texts (a line like a label), and a title keeps its dots."""
    import csv

    table = tmp_path / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["interview", "speaker", "text", "code", "coder"])
        writer.writerows(AWKWARD)
    original = LadybugStore(tmp_path / "original")
    assert not ingest(original, [table]).rejected
    assert len(turns(original)) == len(AWKWARD)  # the table's rows are the turns
    out = tmp_path / "awkward.qdpx"
    write_qdpx(read_project(original), out)
    assert_valid_project(out)
    copy = reloaded(tmp_path, out)
    assert_same(original, copy)
    assert interviews(copy) == sorted({row[0] for row in AWKWARD})
    copy.close()
    original.close()


def test_characters_xml_cannot_hold_are_left_out_of_the_xml():
    turn = ProjectTurn(0, "P1", "It broke\x01 at once.")
    source = ProjectSource("iv", "iv\x01one", (turn,), (ProjectCoding(0, "x", "ana"),))
    xml, *_ = project_xml(QdaProject("iv", "default", (source,), (ProjectCode("x", "X\x02", "X", "challenge"),)))
    root = etree.fromstring(xml)  # well formed
    assert [s.get("name") for s in root.iter(QE + "TextSource")] == ["ivone"]
    assert [s.get("name") for s in root.iter(QE + "PlainTextSelection")] == ["ivone, turn 1"]

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.queries.runner import list_queries
from tests.conftest import EXAMPLES, INTERVIEW_35


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "db")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_done_when_loss_function_challenges_from_the_command_line(db):
    load = invoke("load", EXAMPLES, "--db", db)
    assert load.exit_code == 0, load.output
    # 9 files, 2 study.yaml, 2 codebooks, 1 crosswalk
    assert load.stdout.startswith("Loaded 14 file(s) into embedded LadybugDB at")
    result = invoke("query", "challenges-at-stage", "--param", "stage=loss function", "--format", "json", "--db", db)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["code"], r["participants"], r["quotes"]) for r in rows] == [
        ("Loss-differential-testing", 1, 1),
        ("Loss-complexity", 1, 1),
    ]


def test_the_load_summary_names_one_of_a_kind_in_the_singular(db, tmp_path):
    """One Delve export is one interview; the examples hold one protocol."""
    for path, one in ((INTERVIEW_35, "interview"), (EXAMPLES, "protocol")):
        load = invoke("load", path, "--db", tmp_path / one, "--replace")
        assert load.exit_code == 0, load.output
        pairs = re.findall(r"(\d+) ([a-z]+)(?:,|$)", load.stdout.splitlines()[0].rsplit(": ", 1)[1])
        assert ("1", one) in pairs
        assert all(word.endswith("s") != (number == "1") for number, word in pairs), pairs


def test_load_reports_notes_and_unknown_codes(db):
    result = invoke("load", EXAMPLES, "--db", db)
    assert "note: " in result.stderr and "loaded as a protocol, not an interview" in result.stderr
    assert "no code tags found: loaded as an uncoded interview" in result.stderr
    assert "  feedback-loop  (interview-35-ilan.txt)" in result.stderr


def test_partial_load_exits_2_and_lists_rejected(db, tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "codes-first.txt").write_text("Interview 2 - Ana\n\nData-x\n\nInterviewee\n\nHi.\n")
    (bad / "ok.txt").write_text("Interviewer: Why?\nP3: Because.\n")
    result = invoke("load", bad, "--db", db)
    assert result.exit_code == 2
    assert "Rejected 2:" in result.stderr
    assert f"  {bad / 'codes-first.txt'}:3: code tag 'Data-x' before any paragraph" in result.stderr
    assert f"  {bad / 'empty.txt'}: empty file" in result.stderr
    rows = json.loads(
        invoke("cypher", "MATCH (i:Interview) RETURN i.title AS t", "--format", "json", "--db", db).stdout
    )
    assert rows == [{"t": "ok"}]


def test_codebook_typo_is_one_line_exit_1(db, tmp_path):
    book = tmp_path / "book.yaml"
    book.write_text("workflow:\n  - {id: a, name: A}\nprefixs: []\n")
    result = invoke("load", INTERVIEW_35, "--codebook", book, "--db", db)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {book}:3: unknown codebook key 'prefixs' (did you mean 'prefixes'?)"


def test_missing_path_is_a_user_error(db):
    result = invoke("load", "no/such/folder", "--db", db)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no/such/folder: no such file or folder"


def test_check_validates_without_writing(db, tmp_path):
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES)], env={"CHALLENGE_GRAPH_DB": db})
    assert result.exit_code == 0
    assert "ok  cote-2024/delve/interview-35-ilan.txt (delve-text): 1 interview(s)" in result.stdout
    assert "feedback-loop" in result.stderr
    assert not (tmp_path / "db").exists()


def test_query_formats(db):
    invoke("load", EXAMPLES, "--db", db)
    table = invoke("query", "top-challenges", "--param", "limit=2", "--db", db).stdout.splitlines()
    assert table[0].split() == ["challenge", "code", "stage", "participants", "interviews", "quotes", "study"]
    assert table[-1] == "(2 rows)"
    csv_out = invoke("query", "top-challenges", "--param", "limit=2", "--format", "csv", "--db", db).stdout
    assert (
        csv_out.splitlines()[1]
        == "Costly platforms,MLP-costly-platforms,ML platform and infrastructure,1,1,4,cote-2024"
    )


def test_cypher_is_read_only(db):
    invoke("load", EXAMPLES, "--db", db)
    result = invoke("cypher", "MATCH (c:Challenge) DELETE c", "--db", db)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: read-only: DELETE is not allowed here")
    ok = invoke(
        "cypher",
        "MATCH (c:Challenge {code: $code}) RETURN c.name AS name",
        "--param",
        "code=QM-robustness",
        "--format",
        "json",
        "--db",
        db,
    )
    assert json.loads(ok.stdout) == [{"name": "Robustness"}]


def test_cypher_warns_on_silent_dialect_differences(db):
    invoke("load", EXAMPLES, "--db", db)
    result = invoke("cypher", "MATCH (t:Tool) RETURN labels(t)[0] AS l LIMIT 1", "--db", db)
    assert "warning: labels(n) returns the label as a string on LadybugDB" in result.stderr


def test_query_before_any_load(db):
    result = invoke("query", "stage-overview", "--db", db)
    assert result.exit_code == 1
    assert "run `challenge-graph load PATH` first" in result.output


def test_queries_lists_every_named_query():
    out = invoke("queries").stdout
    for query in list_queries():
        assert query.name in out


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert command.help and "challenge-graph" in command.help, name


def test_the_docs_document_every_query_and_command():
    from tests.conftest import ROOT

    docs = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")) if p.name != "cli.md")
    for query in list_queries():
        assert f"`{query.name}`" in docs, query.name
    for name in cli.commands:
        assert f"challenge-graph {name}" in docs, name


def test_check_notes_likely_duplicate_codes(tmp_path):
    transcript = tmp_path / "Interview 3 - Ana.txt"
    transcript.write_text(
        "Interview 3 - Ana\n\nSpeaker 1\nHalf the rows had no label.\nData-missing-value\n\n"
        "Speaker 1\nAnd some had no date.\nData-missing-values\n\n"
        "Speaker 1\nThe feature store never fit our stack.\nMLP-integration-issues\n\n"
        "Speaker 1\nPlugging it in took weeks.\nMLP-integration-difficult\n\n"
        "Speaker 1\nQuality was low, and so was quantity.\nData-low-quality\nData-low-quantity\n",
        encoding="utf-8",
    )
    result = invoke("check", str(transcript))
    notes = [line for line in result.output.splitlines() if "likely the same code" in line]
    assert notes == [
        "note: Data-missing-value and Data-missing-values are likely the same code: "
        "the same words but for a plural or a suffix",
        "note: MLP-integration-difficult and MLP-integration-issues are likely the same code: "
        "the same words but for 'difficult', 'issues'",
    ]


def test_check_names_stages_without_a_mapping(tmp_path):
    codebook = tmp_path / "book.yaml"
    codebook.write_text(
        "workflow:\n  - {id: training, name: Training, maps_to: {model-training: exactMatch}}\n"
        "  - {id: vibes, name: Vibes}\n",
        encoding="utf-8",
    )
    transcript = tmp_path / INTERVIEW_35.name  # in no study folder: --codebook is the default study's
    transcript.write_bytes(INTERVIEW_35.read_bytes())
    result = invoke("check", str(transcript), "--codebook", str(codebook))
    notes = [line for line in result.output.splitlines() if "reference taxonomy" in line]
    assert notes == ["note: codebook: stage 'vibes' maps onto no stage of the reference taxonomy (add maps_to)"]

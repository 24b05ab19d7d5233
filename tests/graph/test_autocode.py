"""Suggested codings for uncoded transcripts: what an analyst would code, kept apart as `auto`."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.autocode import suggest
from challenge_graph.graph.build import build_graph
from challenge_graph.loaders import load_paths, plain_text
from challenge_graph.queries.runner import run_query
from tests.conftest import EXAMPLES, LEADER_4


def test_seed_000_suggestions_match_the_analyst(codebook):
    iv = plain_text.load(LEADER_4)
    found = {(s.code, s.line, s.speaker) for s in suggest(iv, codebook)}
    assert {
        ("Loss-differential-testing", 22, "Leader 4"),
        ("Test-differential-testing-mismatch", 22, "Leader 4"),
        ("Loss-complexity", 25, "Leader 4"),
    } <= found
    analyst = yaml.safe_load((EXAMPLES / "jiang-2024" / "codings" / "reengineering-leader-4.codings.yaml").read_text())
    analyst_codes = {c["code"] for c in analyst["codings"]}
    assert {code for code, _, _ in found} <= analyst_codes  # nothing the analyst would not code


def test_interviewer_turns_and_coded_turns_get_no_suggestions(codebook):
    text = (
        "Interviewer: Was the loss function hard to implement, differential testing the loss?\n"
        "P1: Yes, the loss function was really difficult.\n"
    )
    iv = plain_text.parse(text.splitlines(), title="t")
    assert [(s.code, s.line) for s in suggest(iv, codebook)] == [("Loss-complexity", 2)]


def test_cli_writes_reviewable_codings_files_that_load(tmp_path):
    out = tmp_path / "suggestions"
    result = CliRunner().invoke(cli, ["autocode", str(EXAMPLES / "jiang-2024" / "transcripts"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = out / "reengineering-leader-4.auto.codings.yaml"
    data = yaml.safe_load(written.read_text())
    assert data["coder"] == "auto" and data["transcript"] == "reengineering-leader-4.txt"
    db = str(tmp_path / "db")
    load = CliRunner().invoke(cli, ["load", str(EXAMPLES / "jiang-2024" / "transcripts"), str(out), "--db", db])
    assert load.exit_code == 0, load.output
    from challenge_graph.store.ladybug_store import LadybugStore

    store = LadybugStore(db)
    rows = store.run("MATCH (e:Excerpt)-[r:CODED_AS]->(c) RETURN DISTINCT r.coder AS coder").rows
    assert rows == [("auto",)]
    store.close()


def test_auto_codings_are_never_counted_as_evidence(codebook, sample_store, tmp_path):
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore

    store = LadybugStore(tmp_path / "db")
    ingest(store, [EXAMPLES / "jiang-2024" / "transcripts", EXAMPLES / "cote-2024" / "delve"], autocode=True)
    human = run_query(store, "challenge-quotes", {"challenge": "Loss-complexity"}).rows
    everything = run_query(store, "challenge-quotes", {"challenge": "Loss-complexity", "coders": "all"}).as_dicts()
    assert human == [] and {c for q in everything for c in q["coders"]} == {"auto"}
    assert run_query(store, "challenges-at-stage", {"stage": "loss"}).as_dicts()[0]["quotes"] == 0
    store.close()
    graph = build_graph(load_paths([EXAMPLES]).records, codebook, autocode=True)
    # turns an analyst already coded get no suggestion
    coded = {(r["src"], r["dst"]) for r in graph.rel_rows("CODED_AS") if r["coder"] == "auto"}
    humans = {r["src"] for r in graph.rel_rows("CODED_AS") if r["coder"] != "auto"}
    assert not {src for src, _ in coded} & humans


def test_check_reports_each_file(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES)])
    line = (
        "ok  cote-2024/delve/interview-35-ilan.txt (delve-text): 1 interview(s), 157 turns, "
        "47 codings (one per code per turn) by Ilan"
    )
    assert line in result.stdout
    assert "ok  jiang-2024/participants.csv (participants sheet)" in result.stdout
    assert "fix for QM-data-privacy-issue, which is never coded itself" in result.stderr

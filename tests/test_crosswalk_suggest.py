"""``challenge-graph crosswalk suggest``: proposed crosswalk rows between the example studies.

Expected values come from examples/crosswalk.yaml read with yaml.safe_load and from the codes
the store holds, never from the command's own code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.model import CODE_LABELS
from challenge_graph.graph.taxonomy import RELATIONS
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES

CROSSWALK = EXAMPLES / "crosswalk.yaml"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def _crosswalk_rows(status: str | None = None) -> list[dict]:
    rows = yaml.safe_load(CROSSWALK.read_text(encoding="utf-8"))["rows"]
    return [r for r in rows if status is None or r.get("status", "accepted") == status]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The examples (both studies and their crosswalk) loaded once, without vectors."""
    path = tmp_path_factory.mktemp("crosswalk") / "db"
    store = LadybugStore(path)
    report = ingest(store, [EXAMPLES])
    assert not report.rejected
    store.close()
    return path


def _codes(db: Path) -> dict[str, str]:
    """``study/Code`` → its label, for every code in the graph."""
    store = LadybugStore(db)
    try:
        return {
            f"{study}/{code}": label
            for label in CODE_LABELS
            for study, code in store.run(f"MATCH (c:{label}) RETURN c.study, c.code").rows
        }
    finally:
        store.close()


def _suggest(db: Path, *args) -> list[dict]:
    result = invoke("crosswalk", "suggest", "--db", db, *args)
    assert result.exit_code == 0, result.output
    parsed = yaml.safe_load(result.stdout)
    assert isinstance(parsed, dict) and isinstance(parsed["rows"], list)
    return parsed["rows"]


def _pairs(rows: list[dict]) -> set[frozenset[str]]:
    return {_pair(r["from"], r["to"]) for r in rows}


def test_rows_are_proposed_and_relate_existing_codes_of_two_studies(db):
    codes = _codes(db)
    for args in ((), ("--cutoff", "0")):
        rows = _suggest(db, *args)
        assert rows, args
        for row in rows:
            assert set(row) == {"from", "to", "relation", "note", "status"}
            assert row["status"] == "proposed"
            assert row["from"] in codes and row["to"] in codes
            assert row["from"].split("/")[0] != row["to"].split("/")[0]
            assert codes[row["from"]] == codes[row["to"]]  # the same kind of code
            assert row["relation"] in RELATIONS
            assert "score" in row["note"]


def test_every_pair_but_the_accepted_ones_at_cutoff_zero(db):
    codes = _codes(db)
    every = {_pair(a, b) for a in codes for b in codes if a.split("/")[0] != b.split("/")[0] and codes[a] == codes[b]}
    accepted = {_pair(r["from"], r["to"]) for r in _crosswalk_rows("accepted")}
    assert len(accepted) == 3 and accepted <= every
    proposed = _pairs(_suggest(db, "--cutoff", "0"))
    assert proposed.isdisjoint(accepted)
    assert proposed == every - accepted
    # the row the file has as proposed is no MATCHES, so it is proposed again
    assert {_pair(r["from"], r["to"]) for r in _crosswalk_rows("proposed")} <= proposed


def test_existing_leaves_out_rows_of_any_status(db, tmp_path):
    waiting = {_pair(r["from"], r["to"]) for r in _crosswalk_rows("proposed")}
    assert waiting
    everything = _pairs(_suggest(db, "--cutoff", "0"))
    assert waiting <= everything
    without = _pairs(_suggest(db, "--cutoff", "0", "--existing", CROSSWALK))
    assert without == everything - waiting

    # a rejected row, written the other way round, leaves its pair out as well
    best = _suggest(db)[0]
    own = tmp_path / "own.crosswalk.yaml"
    own.write_text(
        yaml.safe_dump(
            {"rows": [{"from": best["to"], "to": best["from"], "relation": "relatedMatch", "status": "rejected"}]}
        ),
        encoding="utf-8",
    )
    assert _pair(best["from"], best["to"]) not in _pairs(_suggest(db, "--existing", own))


def test_limit_keeps_the_best_rows(db):
    every = _suggest(db, "--cutoff", "0")
    assert _suggest(db, "--cutoff", "0", "--limit", "2") == every[:2]


def test_output_is_written_and_never_overwritten_without_force(db, tmp_path):
    out = tmp_path / "suggested.crosswalk.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    refused = invoke("crosswalk", "suggest", "--db", db, "--output", out)
    assert refused.exit_code == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    written = invoke("crosswalk", "suggest", "--db", db, "--output", out, "--force")
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["rows"] == _suggest(db)


def test_broken_existing_file_is_one_line_error(db, tmp_path):
    bad = tmp_path / "bad.crosswalk.yaml"
    bad.write_text("rows:\n  - from: nostudy\n    to: a/B\n    relation: closeMatch\n", encoding="utf-8")
    result = invoke("crosswalk", "suggest", "--db", db, "--existing", bad)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and f"{bad}:2:" in result.stderr


def _matches(db: Path) -> set[frozenset[str]]:
    store = LadybugStore(db)
    try:
        return {
            _pair(f"{a_study}/{a}", f"{b_study}/{b}")
            for label in CODE_LABELS
            for a_study, a, b_study, b in store.run(
                f"MATCH (a:{label})-[:MATCHES]->(b:{label}) RETURN a.study, a.code, b.study, b.code"
            ).rows
        }
    finally:
        store.close()


def test_loading_the_suggestions_adds_no_matches(db, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    suggested = corpus / "suggested.crosswalk.yaml"
    made = invoke("crosswalk", "suggest", "--db", db, "--cutoff", "0.2", "--limit", "3", "--output", suggested)
    assert made.exit_code == 0, made.output
    rows = yaml.safe_load(suggested.read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 3

    accepted = {_pair(r["from"], r["to"]) for r in _crosswalk_rows("accepted")}
    loaded = tmp_path / "db-proposed"
    assert invoke("load", corpus, "--db", loaded).exit_code == 0
    assert _matches(loaded) == accepted

    # the same rows accepted do become MATCHES: the check above could fail
    suggested.write_text(
        suggested.read_text(encoding="utf-8").replace("status: proposed", "status: accepted"), encoding="utf-8"
    )
    again = tmp_path / "db-accepted"
    assert invoke("load", corpus, "--db", again).exit_code == 0
    assert _matches(again) == accepted | _pairs(rows)


def _require_semantic() -> None:
    from challenge_graph.semantic import available

    if not available():
        message = "the semantic extra is not installed (pip install -e '.[semantic]')"
        if os.environ.get("REQUIRE_SEMANTIC"):
            pytest.fail(message + " (REQUIRE_SEMANTIC is set)")
        pytest.skip(message)


@pytest.mark.semantic
def test_quotes_vectors_add_their_cosine(tmp_path):
    _require_semantic()
    import numpy as np

    from challenge_graph.semantic.vectors import read

    path = tmp_path / "db"
    store = LadybugStore(path)
    assert not ingest(store, [EXAMPLES], semantic=True).rejected
    vectors = read(store)
    assert vectors is not None
    row = {excerpt: i for i, excerpt in enumerate(vectors.ids)}
    quotes: dict[str, list[int]] = {}
    for label in CODE_LABELS:
        for study, code, excerpt, coder in store.run(
            f"MATCH (e:Excerpt)-[r:CODED_AS]->(c:{label}) RETURN c.study, c.code, e.id, r.coder"
        ).rows:
            if not coder.startswith("auto") and excerpt in row:
                quotes.setdefault(f"{study}/{code}", []).append(row[excerpt])
    store.close()

    def mean(code: str) -> np.ndarray:
        m = np.asarray(vectors.matrix[sorted(set(quotes[code]))], dtype=np.float64).mean(axis=0)
        return m / np.linalg.norm(m)

    result = invoke("crosswalk", "suggest", "--db", path, "--cutoff", "0")
    assert result.exit_code == 0, result.output
    assert "cosine" in result.stdout.splitlines()[0]
    rows = yaml.safe_load(result.stdout)["rows"]
    both = [r for r in rows if r["from"] in quotes and r["to"] in quotes]
    assert both
    for r in both[:10]:
        cosine = float(mean(r["from"]) @ mean(r["to"]))
        assert f"coded quotes {cosine:.2f} alike" in r["note"], r

    plain = invoke("crosswalk", "suggest", "--db", path, "--cutoff", "0", "--no-semantic")
    assert "cosine" not in plain.stdout

"""suggest and load --suggest: codes of the nearest coded turns, coder auto-semantic, never evidence."""

from __future__ import annotations

import numpy as np
import yaml
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.semantic.vectors import read, text_hash
from tests.conftest import EXAMPLES, INTERVIEW_38

EVIDENCE = "MATCH (c:Challenge) RETURN c.code, c.quotes, c.participants, c.interviews ORDER BY c.code"


def _coded(store):
    """Excerpt id -> codes a human gave it, straight from the graph."""
    out = {}
    for excerpt, code in store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE r.coder <> 'auto' AND r.coder <> 'auto-semantic' RETURN e.id, c.code"
    ).rows:
        out.setdefault(excerpt, set()).add(code)
    return out


def _nearest_coded_codes(store, text, k=10):
    """Codes of the k nearest human-coded participant turns (brute force)."""
    vectors = read(store)
    coded = _coded(store)
    row = vectors.hashes.index(text_hash(text))
    scores = np.asarray(vectors.matrix) @ np.asarray(vectors.matrix[row])
    ranked = sorted((i for i, e in enumerate(vectors.ids) if e in coded), key=lambda i: -scores[i])[:k]
    return set().union(*(coded[vectors.ids[i]] for i in ranked))


def test_suggest_writes_codings_files_of_nearby_codes(store_copy, tmp_path):
    out = tmp_path / "suggestions"
    folder = INTERVIEW_38.parent  # a folder: its files are named by their path inside it
    result = CliRunner().invoke(cli, ["suggest", str(folder), "--out", str(out), "--db", str(store_copy.path)])
    assert result.exit_code == 0, result.output
    names = sorted(f.name for f in out.iterdir())
    assert "interview-38-amin.auto-semantic.codings.yaml" in names
    assert all(n.endswith(".auto-semantic.codings.yaml") for n in names)
    files = [out / "interview-38-amin.auto-semantic.codings.yaml"]
    body = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    assert body["coder"] == "auto-semantic" and body["transcript"] == INTERVIEW_38.name and body["codings"]
    human = set().union(*_coded(store_copy).values())
    for item in body["codings"]:
        assert item["code"] in human  # only the study's own codes
        assert item["code"] in _nearest_coded_codes(store_copy, item["quote"])
    assert f"{len(body['codings'])} suggestion(s) for interview-38-amin.txt" in result.stdout

    before = store_copy.run(EVIDENCE).rows
    report = ingest(store_copy, [files[0]])
    assert report.written and not report.rejected
    assert store_copy.run(EVIDENCE).rows == before  # suggestions are never evidence
    loaded = store_copy.run("MATCH ()-[r:CODED_AS]->() WHERE r.coder = 'auto-semantic' RETURN count(*)").rows[0][0]
    assert loaded == len({(i["code"], i["quote"]) for i in body["codings"]})


def test_load_suggest_codes_only_uncoded_turns(semantic_store, tmp_path):
    from challenge_graph.store.ladybug_store import LadybugStore

    store = LadybugStore(tmp_path / "db")
    report = ingest(store, [EXAMPLES], suggest=True)
    assert not report.rejected
    suggested = store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE r.coder = 'auto-semantic' RETURN e.id, e.role, c.code"
    ).rows
    assert suggested
    human = _coded(store)
    assert all(role == "participant" and excerpt not in human for excerpt, role, _ in suggested)
    per_turn = {}
    for excerpt, _, code in suggested:
        per_turn.setdefault(excerpt, []).append(code)
    assert max(len(c) for c in per_turn.values()) <= 3
    assert store.run(EVIDENCE).rows == semantic_store.run(EVIDENCE).rows  # the same evidence as without
    coders = {row[0] for row in store.run("MATCH (k:Coder) RETURN k.name").rows}
    assert "auto-semantic" in coders
    store.close()

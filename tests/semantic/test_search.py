"""search and "more like this": nearest participant quotes, checked by brute force."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.search import more_like, search
from challenge_graph.semantic.vectors import read
from tests.semantic.conftest import require_extra


def _brute_force(store, vector, allowed=None):
    vectors = read(store)
    scores = np.asarray(vectors.matrix) @ vector
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return [(vectors.ids[i], float(scores[i])) for i in order if allowed is None or vectors.ids[i] in allowed]


def test_a_quote_finds_itself_first(semantic_store):
    excerpt, text = semantic_store.run(
        "MATCH (e:Excerpt {role: 'participant'}) WHERE size(e.text) > 200 RETURN e.id, e.text ORDER BY e.id LIMIT 1"
    ).rows[0]
    hits = search(semantic_store, encoder(), text, limit=5)
    assert hits[0].excerpt == excerpt and hits[0].score > 0.999
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hits_are_the_nearest_by_brute_force(semantic_store):
    text = "the labels were inconsistent between annotators"
    hits = search(semantic_store, encoder(), text, limit=8)
    expected = _brute_force(semantic_store, encoder().encode([text])[0])[:8]
    assert [h.excerpt for h in hits] == [e for e, _ in expected]
    assert [h.score for h in hits] == pytest.approx([s for _, s in expected], abs=1e-4)
    row = semantic_store.run(
        "MATCH (e:Excerpt {id: $id})-[:FROM]->(i:Interview) RETURN e.speaker, i.title, e.line", {"id": hits[0].excerpt}
    ).rows[0]
    assert (hits[0].speaker, hits[0].interview, hits[0].line) == tuple(row)


def test_code_filter_keeps_only_quotes_humans_coded_with_it(semantic_store):
    code = "Match-missing-baseline"
    coded = {
        row[0]
        for row in semantic_store.run(
            "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE c.code = $code AND r.coder <> 'auto' RETURN e.id", {"code": code}
        ).rows
    }
    assert coded
    text = "we had no baseline to compare against"
    hits = search(semantic_store, encoder(), text, limit=50, code=code.lower())
    expected = _brute_force(semantic_store, encoder().encode([text])[0], coded)
    assert [h.excerpt for h in hits] == [e for e, _ in expected]
    assert all(code in h.codes for h in hits)


def test_stage_filter_and_unknown_values(semantic_store):
    hits = search(semantic_store, encoder(), "loss", limit=50, stage="Loss function")
    assert hits
    stage_codes = {
        row[0]
        for row in semantic_store.run(
            "MATCH (c)-[:AT_STAGE]->(s:Stage)-[:PART_OF*0..3]->(:Stage {name: 'Loss function'}) RETURN c.code"
        ).rows
    }
    assert all(set(h.codes) & stage_codes for h in hits)
    with pytest.raises(ChallengeGraphError, match="no participant quote is coded with code 'No-such-code'"):
        search(semantic_store, encoder(), "loss", code="No-such-code")


def test_more_like_this_leaves_the_quote_out(semantic_store):
    vectors = read(semantic_store)
    excerpt = vectors.ids[10]
    hits = more_like(semantic_store, excerpt, limit=5)
    assert excerpt not in [h.excerpt for h in hits] and len(hits) == 5
    expected = [e for e, _ in _brute_force(semantic_store, np.asarray(vectors.matrix[10])) if e != excerpt][:5]
    assert [h.excerpt for h in hits] == expected


def test_search_command_formats(semantic_store):
    result = CliRunner().invoke(
        cli, ["search", "data was missing", "--limit", "3", "--format", "json", "--db", str(semantic_store.path)]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and list(rows[0]) == [
        "score",
        "speaker",
        "interview",
        "line",
        "page",
        "codes",
        "quote",
        "excerpt",
    ]
    like = CliRunner().invoke(cli, ["search", rows[0]["excerpt"], "--like", "--db", str(semantic_store.path)])
    assert like.exit_code == 0 and rows[0]["excerpt"] not in like.stdout


def test_a_store_without_vectors_says_what_to_do(sample_store):
    require_extra()  # without the extra, the install hint comes first
    result = CliRunner().invoke(cli, ["search", "anything", "--db", str(sample_store.path)])
    assert result.exit_code == 1
    assert "has no excerpt vectors yet: load the files again with --semantic" in result.output


def test_hits_from_pdfs_cite_their_page(tmp_path):
    require_extra()
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore
    from tests.conftest import FIXTURES

    store = LadybugStore(tmp_path / "db")
    ingest(store, [FIXTURES / "delve-pdf" / "2023-06-04-Interview 19 - PO.pdf"], semantic=True)
    hits = search(store, encoder(), "the data description was missing", limit=3)
    assert hits and all(h.page > 0 and h.line == 0 for h in hits)

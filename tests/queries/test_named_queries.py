"""Every named query runs on the example corpus; its rows are asserted."""

from __future__ import annotations

import pytest

from challenge_graph.graph.errors import QueryError
from challenge_graph.queries import runner
from challenge_graph.queries.runner import get_query, list_queries, run_query

LOSS = [
    (
        "Loss cannot be differentially tested against the reference",
        "Loss-differential-testing",
        "Loss function",
        1,
        1,
        1,
        "",
        "default",
    ),
    ("Loss function is hard to implement and test", "Loss-complexity", "Loss function", 1, 1, 1, "", "default"),
]


def test_every_query_file_has_a_full_header_and_runs(sample_store):
    names = [q.name for q in list_queries()]
    assert names == sorted(names) and len(names) >= 9
    for query in list_queries():
        assert query.path.stem == query.name and query.title and query.description
        params = {p.name: "x" for p in query.params if p.required}
        if params:
            continue  # entity parameters are exercised one by one below
        assert run_query(sample_store, query.name).columns == list(query.returns)


@pytest.mark.parametrize("stage", ["loss function", "Loss-function", "loss", "LOSS_FUNCTION", "loss-function"])
def test_challenges_at_stage_accepts_names_ids_and_aliases(sample_store, stage):
    assert run_query(sample_store, "challenges-at-stage", {"stage": stage}).rows == LOSS


def test_challenges_at_stage_includes_sub_stages(sample_store):
    rows = run_query(sample_store, "challenges-at-stage", {"stage": "implementation"}).rows
    assert {r[1] for r in rows} == {"Impl-framework-porting", "Loss-differential-testing", "Loss-complexity"}
    assert {r[2] for r in rows} == {"Implementation", "Loss function"}


def test_stage_overview(sample_store):
    rows = {r[2]: r for r in run_query(sample_store, "stage-overview").rows}
    assert [r[0] for r in rows.values()] == list(range(1, 27))
    assert rows["Loss function"] == (
        6,
        "loss-function",
        "Loss function",
        "implementation",
        "re-engineering",
        2,
        0,
        0,
        1,
        2,
        "default",
    )
    assert rows["Evaluation"] == (23, "evaluation", "Evaluation", "", "lifecycle", 3, 2, 0, 1, 8, "default")
    assert rows["Data collection"][7] == 1  # the Data-collection-* practice


def test_fixes_for_challenge(sample_store):
    assert run_query(sample_store, "fixes-for-challenge", {"challenge": "QM-robustness"}).rows == [
        ("Fix: robustness", "QM-robustness-fix", 1, 6)
    ]
    assert run_query(sample_store, "fixes-for-challenge", {"challenge": "missing values"}).rows == [
        ("Fix: missing values", "Data-missing-value-fix", 1, 3)
    ]


def test_challenge_quotes_trace_the_counts(sample_store):
    rows = run_query(sample_store, "challenge-quotes", {"challenge": "QM-robustness"}).as_dicts()
    assert [(r["interview"], r["line"], r["speaker"], r["coders"], r["total"]) for r in rows] == [
        ("Interview 35", 301, "Interviewee (Interview 35)", ["Ilan"], 4),
        ("Interview 35", 401, "Interviewee (Interview 35)", ["Ilan"], 4),
        ("Interview 35", 409, "Interviewee (Interview 35)", ["Ilan"], 4),
        ("Interview 35", 415, "Interviewee (Interview 35)", ["Ilan"], 4),
    ]
    top = {r[1]: r for r in run_query(sample_store, "top-challenges", {"limit": 50}).rows}
    assert top["QM-robustness"][5] == len(rows)
    loss = run_query(sample_store, "challenge-quotes", {"challenge": "Loss-complexity"}).as_dicts()
    assert loss[0]["quote"].startswith("What else? For model, I think differential testing")


def test_top_challenges(sample_store):
    rows = run_query(sample_store, "top-challenges", {"limit": "3"}).rows
    assert rows == [
        ("Costly platforms", "MLP-costly-platforms", "ML platform and infrastructure", 1, 1, 4, "default"),
        ("Feedback loop", "feedback-loop", None, 1, 1, 4, "default"),
        ("Reproducibility", "QM-reproducibility", "Evaluation", 1, 1, 4, "default"),
    ]
    assert len(run_query(sample_store, "top-challenges").rows) == 10  # default limit


def test_tools_by_stage(sample_store):
    rows = run_query(sample_store, "tools-by-stage").rows
    assert (6, "Loss function", "ANONYMIZED_DL_FRAMEWORK_2", "framework", 1, 1, "default") in rows
    assert (26, "ML platform and infrastructure", "Amazon EC2", "service", 1, 2, "default") in rows
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_participant_profile(sample_store):
    rows = run_query(sample_store, "participant-profile", {"participant": "leader 4"}).rows
    assert {r[0] for r in rows} == {"Leader 4"}
    assert ("challenge", "Loss-complexity", "Loss function") in {(r[2], r[4], r[5]) for r in rows}
    assert {r[2] for r in rows} == {"challenge", "fix"}
    assert len(rows) == 11


def test_co_occurring_challenges_count_distinct_relationships(sample_store):
    assert run_query(sample_store, "co-occurring-challenges", {"challenge": "Data-missing-values"}).rows == [
        ("Noisy features", "Data-noisy-features", 1, 1)
    ]
    # a challenge never co-occurs with itself
    rows = run_query(sample_store, "co-occurring-challenges", {"challenge": "QM-robustness"}).rows
    assert "QM-robustness" not in {r[1] for r in rows}


def test_unaddressed_challenges(sample_store):
    rows = run_query(sample_store, "unaddressed-challenges").rows
    codes = [r[1] for r in rows]
    assert "QM-robustness" not in codes and "Data-missing-values" not in codes
    assert codes[:3] == ["MLP-costly-platforms", "feedback-loop", "QM-reproducibility"]
    assert len(rows) == 18


def test_corpus_summary(sample_store, empty_store, tmp_path):
    from challenge_graph.queries.runner import corpus_summary

    assert corpus_summary(sample_store) == {
        "interviews": 4,
        "participants": 4,
        "coders": 2,
        "excerpts": 470,
        "coded_excerpts": 55,
        "challenges": 25,
        "fixes": 7,
        "practices": 4,
        "tools": 25,
        "stages": 26,
    }
    # an empty label still gives its row (count 0), on every store
    (tmp_path / "t.txt").write_text("Interviewer: Why?\nP1: No idea.\n")
    from challenge_graph.pipeline.ingest import ingest

    ingest(empty_store, [tmp_path / "t.txt"])
    summary = corpus_summary(empty_store)
    assert (summary["interviews"], summary["challenges"], summary["practices"]) == (1, 0, 0)


def test_protocol_questions(sample_store):
    rows = run_query(sample_store, "protocol-questions").as_dicts()
    assert len(rows) == 53
    assert rows[0]["section"] == "Background" and rows[0]["number"] == "1"


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("challenges-at-stage", {"stage": "lost function"}, "challenges-at-stage: no stage matches 'lost function'"),
        ("challenges-at-stage", {}, "challenges-at-stage: missing parameter 'stage'"),
        (
            "challenges-at-stage",
            {"stage": "loss", "x": "1"},
            "challenges-at-stage: unknown parameter 'x' (expected: stage, study)",
        ),
        ("top-challenges", {"limit": "ten"}, "top-challenges: limit must be a whole number, not 'ten'"),
        (
            "fixes-for-challenge",
            {"challenge": "QM-robustnes"},
            "fixes-for-challenge: no challenge matches 'QM-robustnes'; did you mean 'QM-robustness'",
        ),
        ("challenge-at-stage", {}, "unknown query 'challenge-at-stage'; did you mean 'challenges-at-stage'?"),
    ],
)
def test_bad_parameters_are_clear(sample_store, name, params, message):
    with pytest.raises(QueryError) as e:
        run_query(sample_store, name, params)
    assert str(e.value).startswith(message)


def test_header_parameters():
    query = get_query("top-challenges")
    assert [(p.name, p.type, p.default) for p in query.params] == [("limit", "INT", "10"), ("study", "STUDY", "all")]


HEADER = "// name: q\n// title: Q\n// description: d\n// returns: n\n"


def test_a_line_for_one_dialect_is_a_comment_elsewhere(tmp_path):
    (tmp_path / "q.cypher").write_text(HEADER + "MATCH (n)\n  // on neo4j: WHERE n.id IS NOT NULL\nRETURN n\n")
    query = runner._parse(tmp_path / "q.cypher")
    assert query.cypher_for("neo4j").splitlines() == ["MATCH (n)", "  WHERE n.id IS NOT NULL", "RETURN n"]
    assert query.cypher_for("ladybug") == query.cypher == "MATCH (n)\n  // on neo4j: WHERE n.id IS NOT NULL\nRETURN n"


def test_a_line_for_an_unknown_dialect_is_refused(tmp_path):
    (tmp_path / "q.cypher").write_text(HEADER + "MATCH (n)\n// on neo5j: WHERE n.id IS NOT NULL\nRETURN n\n")
    with pytest.raises(QueryError, match="q.cypher: unknown dialect 'neo5j'"):
        runner._parse(tmp_path / "q.cypher")


def test_stage_category_matrix(sample_store):
    rows = run_query(sample_store, "stage-category-matrix").rows
    assert (18, "Data preparation", "Data quality", 6, 7, "default") in rows
    assert (6, "Loss function", "Re-engineering", 2, 2, "default") in rows
    assert sum(r[3] for r in rows) == 24  # every challenge with a stage (feedback-loop has none)


def test_excerpt_context_includes_the_quote_itself(sample_store):
    rows = run_query(sample_store, "excerpt-context", {"excerpt": "interview-35:72", "radius": 1}).as_dicts()
    assert [(r["turn"], r["focus"]) for r in rows] == [(71, False), (72, True), (73, False)]
    assert rows[2]["speaker"] == "Interviewer 1" and rows[2]["role"] == "interviewer"


def test_challenge_tools(sample_store):
    assert run_query(sample_store, "challenge-tools", {"challenge": "MLP-costly-platforms"}).rows == [
        ("Amazon EC2", "service", 1, 2),
        ("AWS", "cloud", 1, 1),
        ("AWS Lambda", "service", 1, 1),
    ]


def test_stored_evidence_counts_match_the_quotes_behind_them(sample_store):
    """Every count a query reports can be traced to the quotes challenge-quotes lists."""
    stored = sample_store.run(
        "MATCH (c:Challenge) RETURN c.code AS code, c.participants AS p, c.interviews AS i, c.quotes AS q"
    ).as_dicts()
    assert stored
    for row in stored:
        quotes = run_query(sample_store, "challenge-quotes", {"challenge": row["code"]}).as_dicts()
        assert row["q"] == len({q["excerpt"] for q in quotes}), row["code"]
        assert row["p"] == len({q["speaker"] for q in quotes}), row["code"]
        assert row["i"] == len({q["interview"] for q in quotes}), row["code"]
    computed = sample_store.run(
        "MATCH (s:Stage)<-[:AT_STAGE]-(c:Challenge)<-[:CODED_AS]-(e:Excerpt)<-[:SAID]-(p:Participant) "
        "RETURN s.id AS stage, count(DISTINCT p) AS p, count(DISTINCT e) AS q ORDER BY stage"
    ).rows
    stages = dict(
        (r[0], (r[1], r[2])) for r in sample_store.run("MATCH (s:Stage) RETURN s.id, s.participants, s.quotes").rows
    )
    assert all(stages[s] == (p, q) for s, p, q in computed)


def test_a_reference_stage_gathers_every_stage_mapped_onto_it(sample_store, codebook):
    """``model-training`` (the reference taxonomy's id) answers with the challenges of every study
    stage the codebook maps onto it, each with its SKOS relation; counted here from the codebook."""
    mapped = {s.name: rel for s in codebook.stages for ref, rel in s.maps_to if ref == "model-training"}
    assert {"Training", "Loss function", "Implementation"} <= set(mapped)
    rows = run_query(sample_store, "challenges-at-stage", {"stage": "model-training"}).as_dicts()
    assert rows and all(mapped[r["stage"]] == r["mapping"] for r in rows)
    at_stage = sample_store.run(
        "MATCH (c:Challenge)-[:AT_STAGE]->(s:Stage) RETURN c.code AS code, s.name AS stage"
    ).as_dicts()
    assert sorted(r["code"] for r in rows) == sorted(r["code"] for r in at_stage if r["stage"] in mapped)
    # a study's stage named like a reference stage is still the study's, with its sub-stages
    study_stage = run_query(sample_store, "challenges-at-stage", {"stage": "implementation"}).as_dicts()
    assert study_stage and {r["mapping"] for r in study_stage} == {""}

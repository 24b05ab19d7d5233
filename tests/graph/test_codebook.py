from __future__ import annotations

import pytest

from challenge_graph.graph.code_names import tolerant_key
from challenge_graph.graph.codebook import parse_codebook
from challenge_graph.graph.errors import CodebookError

MINIMAL = """\
workflow:
  - {id: training, name: Training}
prefixes:
  - {prefix: MT, kind: challenge, category: Model training, stage: training}
"""


def test_bundled_codebook_rules(codebook):
    def info(code):
        i = codebook.classify(code)
        return i.label, i.stage, i.category

    assert info("Data-collection-public-datasets") == ("Practice", "data-collection", "Data collection")
    assert info("Data-missing-values") == ("Challenge", "data-preparation", "Data quality")
    assert info("MT-slow") == ("Challenge", "training", "Model training")
    assert info("ME-x")[1] == "evaluation" and info("MD-x")[1] == "deployment"
    assert info("MM-x")[1] == "monitoring-maintenance" and info("MLP-x")[1] == "platform"
    assert info("QM-robustness") == ("Challenge", "evaluation", "Model quality")
    assert info("QM-robustness-fix") == ("Fix", "evaluation", "Model quality")
    assert codebook.classify("QM-robustness-fix").addresses == "QM-robustness"
    unknown = codebook.classify("feedback-loop")
    assert (unknown.label, unknown.known, unknown.stage) == ("Challenge", False, "")


@pytest.mark.parametrize("name", ["loss function", "Loss-function", "loss", "LOSS_FUNCTION", "Loss function"])
def test_stage_aliases(codebook, name):
    assert codebook.stage(name).id == "loss-function"


def test_workflow_covers_both_studies(codebook):
    ids = [s.id for s in codebook.stages]
    for stage in (
        "model-selection",
        "model-analysis",
        "data-pipeline",
        "loss-function",
        "unit-testing",
        "differential-testing",
        "integration-training",
        "performance-matching",
        "reproducibility-review",
        "optimisation-review",
        "documentation",
        "publishing",
        "problem-framing",
        "data-collection",
        "data-cleaning",
        "data-labelling",
        "feature-engineering",
        "training",
        "evaluation",
        "deployment",
        "monitoring-maintenance",
        "platform",
    ):
        assert stage in ids
    assert codebook.stage("loss").parent == "implementation"


def test_tolerant_fix_matching():
    assert tolerant_key("Data-missing-value") == tolerant_key("Data-missing-values")
    assert tolerant_key("QM-data-privacy-issue") == tolerant_key("QM-data-privacy-issues")
    assert tolerant_key("QM-robustness") != tolerant_key("QM-robust")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL.replace("prefixes:", "prefixs:"), "<cb>:3: unknown codebook key 'prefixs' (did you mean 'prefixes'?)"),
        (
            MINIMAL.replace("stage: training}", "stage: trainig}"),
            "<cb>:4: unknown stage 'trainig' (did you mean 'training'?)",
        ),
        (
            MINIMAL.replace("kind: challenge", "kind: problem"),
            "<cb>:4: unknown kind 'problem' (expected challenge, fix, practice, question or ignore)",
        ),
        (MINIMAL.replace("name: Training", "nme: Training"), "<cb>:2: unknown stage key 'nme' (did you mean 'name'?)"),
        ("workflow: [\n", "<cb>:2: invalid YAML"),
        (MINIMAL + "tools:\n  - {name: X, kind: tool, patterns: ['(unclosed']}\n", "<cb>:6: tool 'X': bad pattern"),
        ("prefixes: []\n", "<cb>:1: codebook is missing 'workflow'"),
    ],
)
def test_codebook_typos_name_the_line(text, message):
    with pytest.raises(CodebookError) as e:
        parse_codebook(text, source="<cb>")
    assert str(e.value).startswith(message)


def test_protocol_codes_are_questions_never_challenges(codebook):
    for code in ("Q1", "Q4.4", "Q5.3"):
        info = codebook.classify(code)
        assert (info.label, info.known, info.stage) == ("Question", True, ""), code
    assert codebook.classify("QM-robustness").label == "Challenge"  # a prefix, not a question number
    assert codebook.classify("Q1-fix").label == "Fix"


def test_kinds_question_and_ignore_in_entries_and_rules():
    book = parse_codebook(
        MINIMAL
        + "  - {prefix: TODO, kind: ignore}\n"
        + "codes:\n  Interesting: {kind: ignore}\n  Warm-up: {kind: question}\n"
    )
    assert book.classify("Interesting").label == "ignore"
    assert book.classify("TODO-later").label == "ignore"
    assert book.classify("Warm-up").label == "Question"
    assert book.classify("Q1").label == "Challenge"  # no question_pattern in this codebook


def test_a_bad_kind_or_question_pattern_names_the_line():
    with pytest.raises(CodebookError, match="expected challenge, fix, practice, question or ignore"):
        parse_codebook(MINIMAL.replace("kind: challenge", "kind: problem"))
    with pytest.raises(CodebookError, match="question_pattern '\\(Q' is not a regular expression"):
        parse_codebook(MINIMAL + "question_pattern: '(Q'\n")


def test_stages_map_onto_the_reference_taxonomy(codebook):
    from challenge_graph.graph.taxonomy import RELATIONS, load_taxonomy

    reference = {s.id for s in load_taxonomy().stages}
    assert {"model-training", "model-evaluation", "data-labeling"} <= reference and len(reference) >= 9
    for stage in codebook.stages:
        assert stage.maps_to, f"{stage.id} maps onto no reference stage"
        assert all(ref in reference and rel in RELATIONS for ref, rel in stage.maps_to)
    by_id = {s.id: dict(s.maps_to) for s in codebook.stages}
    assert by_id["training"] == {"model-training": "exactMatch"}
    assert by_id["loss-function"] == {"model-training": "broadMatch"}  # from its parent, Implementation


def test_a_bad_mapping_names_the_line():
    stage = "  - {id: training, name: Training}"
    with pytest.raises(CodebookError, match=r"<cb>:2: maps_to: no reference stage 'model-trainin'.*model-training"):
        parse_codebook(MINIMAL.replace(stage, stage[:-1] + ", maps_to: {model-trainin: exactMatch}}"), source="<cb>")
    with pytest.raises(CodebookError, match="'sameAs' is not a SKOS relation"):
        parse_codebook(MINIMAL.replace(stage, stage[:-1] + ", maps_to: {model-training: sameAs}}"), source="<cb>")

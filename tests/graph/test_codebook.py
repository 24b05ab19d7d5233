from __future__ import annotations

import pytest

from challenge_graph.graph.codebook import parse_codebook, tolerant_key
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
            "<cb>:4: unknown kind 'problem' (expected challenge, fix or practice)",
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

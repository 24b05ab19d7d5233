"""Agreement statistics against reference implementations (scikit-learn, krippendorff,
statsmodels), on edge cases and on the three coded PDFs of Interview 19."""

from __future__ import annotations

import math
import random
import warnings
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.agreement import agreement, cohen_kappa, fleiss_kappa, krippendorff_alpha
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import FIXTURES


def _nowarn():
    """Silence the references' warnings about undefined statistics (they return nan)."""
    return warnings.catch_warnings(action="ignore")


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9


def _ref_fleiss(units):
    table, _ = aggregate_raters(np.array(units))
    with np.errstate(all="ignore"):
        return float(sm_fleiss(table))


def _ref_alpha(data):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


CASES = {
    "random": None,
    "a code every coder used everywhere": [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]],
    "a code no coder used": [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    "one unit": [[1], [0], [1]],
    "perfect agreement": [[1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 1, 0]],
}


@pytest.mark.parametrize("case", CASES)
def test_statistics_equal_the_references(case):
    rng = random.Random(5)
    data = CASES[case] or [[rng.randint(0, 1) for _ in range(40)] for _ in range(3)]
    units = list(zip(*data))
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        with _nowarn():
            ref = float(cohen_kappa_score(data[a], data[b]))
        assert _same(cohen_kappa(data[a], data[b]), ref), (case, a, b)
    assert _same(fleiss_kappa(units), _ref_fleiss(units)), case
    if len({v for row in data for v in row}) > 1:  # the krippendorff package refuses a single value
        assert _same(krippendorff_alpha(data), _ref_alpha(data)), case
    else:
        assert math.isnan(krippendorff_alpha(data))


def test_alpha_with_missing_values_equals_the_reference():
    rng = random.Random(11)
    data = [[None if rng.random() < 0.2 else rng.randint(0, 1) for _ in range(60)] for _ in range(4)]
    assert _same(krippendorff_alpha(data), _ref_alpha(data))


@pytest.fixture(scope="module")
def interview_19(tmp_path_factory):
    """The nine sample PDFs: only Interview 19 has two independent coders (PO, Rached) and a
    moderation file (Amin); Interviews 5 and 10 have one coded file each."""
    store = LadybugStore(tmp_path_factory.mktemp("i19") / "db")
    ingest(store, [FIXTURES / "delve-pdf"])
    yield store
    store.close()


def test_interview_19_matches_the_references(interview_19):
    table, pairs = agreement(interview_19)
    rows = {r.code: r for r in table}
    turns = interview_19.run("MATCH (i:Interview {id: 'interview-19'}) RETURN i.turns").rows[0][0]
    assert rows["Data-metadata-issue"].coders == 2 and rows["Data-metadata-issue"].units == turns
    # rebuild the raw 0/1 data from the graph and recompute with the reference libraries
    coded = interview_19.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE e.interview = 'interview-19' RETURN c.code, r.coder, e.position"
    ).rows
    for code in {c for c, _, _ in coded}:
        data = {coder: [0] * turns for coder in ("PO", "Rached", "Amin")}
        for c, coder, position in coded:
            if c == code:
                data[coder][position] = 1
        independent = [data["PO"], data["Rached"]]
        assert _same(rows[code].fleiss_kappa, _ref_fleiss(list(zip(*independent)))), code
        if len({v for row in independent for v in row}) > 1:
            assert _same(rows[code].krippendorff_alpha, _ref_alpha(independent)), code
        for pair in (p for p in pairs if p.code == code):
            a, b = (data[name.removesuffix(" (consensus)")] for name in (pair.coder_a, pair.coder_b))
            with _nowarn():
                ref = float(cohen_kappa_score(a, b))
            assert _same(pair.cohen_kappa, ref), (code, pair)
    consensus_pairs = {(p.coder_a, p.coder_b) for p in pairs}
    assert consensus_pairs == {("Amin (consensus)", "PO"), ("Amin (consensus)", "Rached"), ("PO", "Rached")}


def test_whole_corpus_runs_and_single_coder_interviews_add_no_units(interview_19):
    table, _ = agreement(interview_19)
    overall = next(r for r in table if r.code == "(all codes)")
    turns = interview_19.run("MATCH (i:Interview {id: 'interview-19'}) RETURN i.turns").rows[0][0]
    codes = len([r for r in table if r.code != "(all codes)"])
    assert overall.coders == 2 and overall.units == turns * codes
    assert not math.isnan(overall.fleiss_kappa) and not math.isnan(overall.krippendorff_alpha)


def test_fleiss_needs_two_raters():
    assert math.isnan(fleiss_kappa([(1,), (0,)]))


def test_agreement_command_writes_strict_json_with_null_for_undefined(interview_19):
    import json

    from click.testing import CliRunner

    from challenge_graph.cli import cli

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    result = CliRunner().invoke(cli, ["agreement", "--db", str(interview_19.path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output, parse_constant=refuse)
    values = [v for row in data["codes"] + data["pairs"] for v in row.values()]
    assert None in values  # a code nobody varied on: kappa undefined, written as null
    table = CliRunner().invoke(cli, ["agreement", "--db", str(interview_19.path)])
    assert table.exit_code == 0 and "Traceback" not in table.output


def _delve_file(folder, interview, coder, paragraphs, tags):
    lines = [f"Interview {interview} - {coder}", ""]
    for index, text in enumerate(paragraphs):
        lines += ["Interviewee", "", text, ""] + [x for t in tags.get(index, []) for x in (t, "")]
    (folder / f"interview-{interview}-{coder}.txt").write_text("\n".join(lines), encoding="utf-8")


def test_mixed_coders_per_interview_match_the_references(tmp_path):
    """Three interviews coded by different sets of coders (two, three, and two with a moderation
    file): every figure recomputed from the raw 0/1 matrix with the reference libraries."""
    rng = random.Random(5)
    corpus = tmp_path / "corpus"
    (corpus / "moderation").mkdir(parents=True)
    plan = {"1": ["PO", "Rached"], "2": ["PO", "Rached", "Ilan"], "3": ["Ilan", "PO", "moderation/Amin"]}
    codes = ["Data-a", "Data-b", "QM-c"]
    turns = {}
    for interview, coders in plan.items():
        paragraphs = [
            f"Turn {n} of interview {interview} says something about models." for n in range(rng.randint(8, 14))
        ]
        turns[interview] = len(paragraphs)
        for coder in coders:
            tags = {n: [c for c in codes if rng.random() < 0.3] for n in range(len(paragraphs))}
            folder, name = (corpus / "moderation", "Amin") if "/" in coder else (corpus, coder)
            _delve_file(folder, interview, name, paragraphs, tags)
    store = LadybugStore(tmp_path / "db")
    assert not ingest(store, [corpus]).rejected
    table, pairs = agreement(store)
    rows = {r.code: r for r in table}
    applied = {
        (c, coder, i.split("-")[1], p)
        for c, coder, i, p in store.run(
            "MATCH (e:Excerpt)-[r:CODED_AS]->(c) RETURN c.code, r.coder, e.interview, e.position"
        ).rows
    }
    raters = {
        i: [c.replace("moderation/", "") + (" (consensus)" if "/" in c else "") for c in cs] for i, cs in plan.items()
    }
    independent = sorted({r for rs in raters.values() for r in rs if "consensus" not in r})
    everyone = sorted({r for rs in raters.values() for r in rs})

    def matrix(code_names, names):
        return [
            [
                None if name not in raters[i] else int((c, name.replace(" (consensus)", ""), i, t) in applied)
                for c in code_names
                for i in sorted(plan)
                for t in range(turns[i])
            ]
            for name in names
        ]

    for label, code_names in [*((c, [c]) for c in codes), ("(all codes)", codes)]:
        data = matrix(code_names, independent)
        assert _same(rows[label].krippendorff_alpha, _ref_alpha(data)), label
        units = [tuple(v for v in u if v is not None) for u in zip(*data)]
        common = [u for u in units if len(u) == 2]  # two independent coders on 1 and 3 (more turns than 2)
        assert rows[label].units == len(common)
        assert _same(rows[label].fleiss_kappa, _ref_fleiss(common)), label
        assert _same(rows[label].percent_agreement, sum(len(set(u)) == 1 for u in common) / len(common))
        for pair in (p for p in pairs if p.code == label):
            a, b = matrix(code_names, [pair.coder_a, pair.coder_b])
            both = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
            with _nowarn():
                ref = float(cohen_kappa_score([x for x, _ in both], [y for _, y in both]))
            assert pair.units == len(both) and _same(pair.cohen_kappa, ref), (label, pair)
    assert {(p.coder_a, p.coder_b) for p in pairs} == {
        (a, b) for a, b in combinations(everyone, 2) if any(a in rs and b in rs for rs in raters.values())
    }
    store.close()

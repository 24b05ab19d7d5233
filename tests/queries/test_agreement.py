"""Agreement statistics against reference implementations (scikit-learn, krippendorff,
statsmodels), on edge cases and on the three coded PDFs of Interview 19."""
from __future__ import annotations

import math
import random
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from graph.ladybug_store import LadybugStore
from loaders.ingest import ingest
from queries.agreement import agreement, cohen_kappa, fleiss_kappa, krippendorff_alpha
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
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE e.interview = 'interview-19' RETURN c.code, r.coder, e.position").rows
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

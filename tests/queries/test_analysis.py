"""Saturation, co-occurrence and matrices on a small fixture whose figures are computed by hand."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PIL import Image

from challenge_graph.cli import cli
from challenge_graph.graph.errors import QueryError
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries import analysis
from challenge_graph.queries.analysis import (
    codings,
    cooccurrence,
    participant_challenge_matrix,
    saturation,
    saturation_check,
)
from challenge_graph.queries.runner import run_query
from challenge_graph.store.ladybug_store import LadybugStore

TABLE = """interview,speaker,text,code
Interview 1,P1,Turn A about labels and loss.,X-a
Interview 1,P1,Turn A about labels and loss.,X-b
Interview 1,P1,Turn B about the data.,X-a
Interview 10,P3,Turn D again.,X-a
Interview 2,P2,Turn C on deployment.,X-b
Interview 2,P2,Turn C on deployment.,X-c
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    (folder / "codings.csv").write_text(TABLE)
    store = LadybugStore(folder / "db")
    ingest(store, [folder / "codings.csv"])
    yield store
    store.close()


def test_saturation_by_hand(store):
    rows = saturation(store)
    # natural order: Interview 1, Interview 2, Interview 10
    assert [(r.interview, r.new_codes, r.codes) for r in rows] == [
        ("Interview 1", 2, 2),
        ("Interview 2", 1, 3),
        ("Interview 10", 0, 3),
    ]
    assert saturation_check(rows, base=1, run=2)["saturated"] is False
    assert saturation_check(rows, base=2, run=1) == {
        "base": 2,
        "run": 1,
        "interviews": 3,
        "run_interviews": 1,
        "new_codes_in_run": 0,
        "saturated": True,
    }


def test_cooccurrence_by_hand(store):
    assert cooccurrence(store) == [
        {"code_a": "X-b", "code_b": "X-c", "shared": 1, "jaccard": 0.5},
        {"code_a": "X-a", "code_b": "X-b", "shared": 1, "jaccard": 0.25},
    ]


def test_participant_matrix(store):
    rows, columns, values = participant_challenge_matrix(store)
    assert columns == ["X-a", "X-b", "X-c"]
    assert dict(zip(rows, values))["P1"] == [2, 1, 0]


def test_cli_writes_curve_heat_map_and_csv(store, tmp_path):
    db = str(store.path)
    curve = tmp_path / "curve.png"
    result = CliRunner().invoke(cli, ["saturation", "--out", str(curve), "--base", "2", "--run", "1", "--db", db])
    assert result.exit_code == 0 and "saturated" in result.stderr
    assert Image.open(curve).size[0] > 600
    heat = tmp_path / "co.svg"
    assert CliRunner().invoke(cli, ["cooccurrence", "--out", str(heat), "--db", db]).exit_code == 0
    assert "X-b" in heat.read_text()
    table = tmp_path / "m.csv"
    assert CliRunner().invoke(cli, ["matrix", "participant-challenge", "--out", str(table), "--db", db]).exit_code == 0
    assert table.read_text().splitlines()[0] == ",X-a,X-b,X-c"


def test_agreement_needs_two_coders(store):
    result = CliRunner().invoke(cli, ["agreement", "--db", str(store.path)])
    assert result.exit_code == 1
    assert "no interview has two or more coders" in result.output


@pytest.mark.parametrize("fixture", ["sample_store", "neo4j_examples"])
def test_codings_are_every_coding_of_a_turn(request, fixture):
    """The analyses' input (coded-turns, grouped by code and coder) holds every CODED_AS of the graph."""
    graph = request.getfixturevalue(fixture)
    expected = sorted(
        tuple(row)
        for row in graph.run(
            "MATCH (e:Excerpt)-[r:CODED_AS]->(c) RETURN e.interview, e.position, r.coder, c.code, c.kind"
        ).rows
    )
    assert expected and sorted(tuple(c) for c in codings(graph)) == expected
    place = {e: (i, p) for e, i, p in graph.run("MATCH (e:Excerpt) RETURN e.id, e.interview, e.position").rows}
    for row in run_query(graph, "coded-turns").as_dicts():  # each code's turns in order: the same lists on both
        turns = [place[excerpt] for excerpt in row["excerpts"]]
        assert turns == sorted(turns)


def test_coded_turns_of_an_earlier_version_on_neo4j_ask_for_a_load(neo4j_examples):
    """Neo4j reads a property a node lacks as null: CodedTurns stored without excerpts (as an
    earlier version wrote them) are told apart from a graph without codings."""

    def rename(old, new):
        neo4j_examples.driver.execute_query(
            f"MATCH (t:CodedTurns) SET t.{new} = t.{old} REMOVE t.{old}", database_=neo4j_examples.database
        )
        analysis._FETCHED.clear()  # the graph changed under the same version stamp

    rename("excerpts", "interviews")
    try:
        with pytest.raises(QueryError, match=r"earlier version of challenge-graph.*load it again"):
            codings(neo4j_examples)
    finally:
        rename("interviews", "excerpts")  # the graph other tests share


def test_codings_follow_a_new_graph(tmp_path):
    """The fetched codings are kept per graph version: a load that changes the graph is seen."""
    (tmp_path / "one.csv").write_text(TABLE)
    store = LadybugStore(tmp_path / "db")
    ingest(store, [tmp_path / "one.csv"])
    assert {c.code for c in codings(store)} == {"X-a", "X-b", "X-c"}
    (tmp_path / "two.csv").write_text(TABLE.replace("X-c", "X-d"))
    ingest(store, [tmp_path / "two.csv"], replace=True)
    assert {c.code for c in codings(store)} == {"X-a", "X-b", "X-d"}
    store.close()


@pytest.mark.parametrize("written_before", ["no CodedTurns table", "no CodedTurns node", "no excerpts property"])
def test_a_graph_written_before_the_coded_turns_were_stored_asks_for_a_load(tmp_path, written_before):
    """LadybugDB refuses a label it has no table for; Neo4j finds nothing: either way the
    analyses say what to do instead of failing or finding no codings."""
    import ladybug

    (tmp_path / "one.csv").write_text(TABLE)
    store = LadybugStore(tmp_path / "db")
    ingest(store, [tmp_path / "one.csv"])
    store.close()
    db = ladybug.Database(str(tmp_path / "db" / "graph.lbug"))
    connection = ladybug.Connection(db)
    if written_before == "no excerpts property":  # the lists an earlier version stored instead
        connection.execute("ALTER TABLE CodedTurns DROP excerpts")
        connection.execute("ALTER TABLE CodedTurns ADD interviews STRING[]")
    else:
        connection.execute("MATCH (t:CodedTurns) DELETE t")
    if written_before == "no CodedTurns table":
        connection.execute("DROP TABLE CodedTurns")
    connection.close()
    db.close()
    store = LadybugStore(tmp_path / "db")
    with pytest.raises(QueryError, match=r"earlier version of challenge-graph.*load it again"):
        codings(store)
    store.close()

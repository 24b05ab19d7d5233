"""A database folder holds data, never code: kept files are MessagePack with a checksum (a
planted pickle is never run), a changed byte is noticed and rebuilt, and a changed copy of a
source is reported, never built into the graph."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.kept_values import DamagedKeptFile, pack, read_kept, unpack, write_kept
from challenge_graph.graph.model import Coding, Interview, Turn
from tests.conftest import EXAMPLES, LEADER_4

SENTENCE = "pretty easy"  # in LEADER_4, once


class _Planted:
    """Unpickling this runs ``touch <marker>``: what an attacker would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _load(db: Path, *paths) -> object:
    return CliRunner().invoke(cli, ["load", *map(str, paths), "--db", str(db)])


def _texts(db: Path) -> list[str]:
    result = CliRunner().invoke(
        cli, ["cypher", "MATCH (e:Excerpt) RETURN e.text AS t ORDER BY e.id", "--db", str(db), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _kept_files(db: Path) -> list[Path]:
    return [db / "written.snapshot", *sorted((db / "parsed").iterdir()), *sorted((db / "fragments").iterdir())]


@pytest.fixture
def loaded(tmp_path):
    db = tmp_path / "db"
    assert _load(db, EXAMPLES).exit_code == 0
    return db


def test_no_kept_file_is_a_pickle(loaded):
    for path in _kept_files(loaded):
        data = path.read_bytes()
        assert data.startswith(b"challenge-graph kept v1\n"), path
        with pytest.raises(Exception):  # noqa: B017 - any refusal: it is not a pickle at all
            pickle.loads(data)


@pytest.mark.parametrize("where", ["written.snapshot", "parsed", "fragments"])
def test_a_planted_pickle_is_never_run(loaded, tmp_path, where):
    marker = tmp_path / "ran"
    before = _texts(loaded)
    targets = [loaded / where] if where.endswith("snapshot") else sorted((loaded / where).iterdir())
    for target in targets:
        target.write_bytes(pickle.dumps(_Planted(marker)))
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code in (0, 2), result.output
    assert not marker.exists(), f"a pickle planted in {where} was run"
    assert _texts(loaded) == before  # rebuilt from the sources, the same graph


def test_a_changed_byte_in_a_fragment_never_reaches_the_graph(loaded):
    edited = 0
    for path in sorted((loaded / "fragments").iterdir()):
        data = path.read_bytes()
        if SENTENCE.encode() in data:
            path.write_bytes(data.replace(SENTENCE.encode(), b"pretty hard"))  # same length
            edited += 1
    assert edited == 1
    (loaded / "written.snapshot").unlink()  # the next load writes every row, from the kept fragments
    assert _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv").exit_code in (0, 2)
    texts = "\n".join(_texts(loaded))
    assert SENTENCE in texts and "pretty hard" not in texts


def test_a_changed_copy_of_a_source_is_reported_and_the_graph_kept(loaded, tmp_path):
    copy = next(p for p in (loaded / "sources").iterdir() if SENTENCE.encode() in p.read_bytes())
    copy.write_bytes(copy.read_bytes().replace(SENTENCE.encode(), b"pretty hard"))
    shutil.rmtree(loaded / "parsed")  # the next load must read the copies again
    before = _texts(loaded)
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code == 1
    assert f"the kept copy of {LEADER_4.relative_to(EXAMPLES).as_posix()}" in result.output
    assert "has changed since it was loaded" in result.output
    assert _texts(loaded) == before  # the previous graph is intact
    again = _load(loaded, LEADER_4)  # loading the original again mends it
    assert again.exit_code in (0, 2), again.output
    assert _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv").exit_code in (0, 2)
    assert "pretty hard" not in "\n".join(_texts(loaded))


def test_records_round_trip_as_data():
    interview = Interview(
        "i-1", "Interview 1", "a.txt", "plain", (Turn("Leader 4", "text", 0, 3),), codings=(Coding("x", "y", (0, 1)),)
    )
    value = {"records": [interview], ("a", 1): {1, 2}, "blob": b"\x00\x01"}
    assert unpack(pack(value)) == value


def test_runs_of_records_and_graph_tables_round_trip_as_columns():
    turns = tuple(Turn(f"S{n % 2}", f"text {n}", n, n + 3, "participant") for n in range(5))
    codings = (Coding("a", "x", (0, 1)), Coding("b", "y", (2,), 7, "cat", "f.txt"))
    interview = Interview("i-1", "Interview 1", "a.txt", "plain", turns, codings=codings, coders=("x", "y"))
    graph = GraphData()
    for turn in turns:
        graph.add_node("Excerpt", {"id": f"i-1:{turn.position}", "text": turn.text, "aliases": ["a", "b"]})
        graph.add_rel("CODED_AS", ("Excerpt", f"i-1:{turn.position}"), ("Challenge", "a"), coder="x")
    graph.add_node("Stage", {"id": "s", "name": "S"})
    graph.add_node("Stage", {"id": "t", "name": "T", "position": 2})  # another shape: kept row by row
    graph.rels["NEXT"][("odd", "key")] = {"src": "s", "dst": "t", "srcLabel": "Stage", "dstLabel": "Stage"}
    graph.nodes["Tool"]["no-id"] = {"name": "a row without its key's field"}
    graph.rels["PART_OF"][("x",)] = {"dst": "t", "src": "s", "srcLabel": "Stage", "dstLabel": "Stage"}
    back = unpack(pack([interview, graph]))
    assert back[0] == interview and type(back[0].turns) is tuple and type(back[0].codings[0].positions) is tuple
    assert back[1].nodes == graph.nodes and back[1].rels == graph.rels
    assert list(back[1].rels["CODED_AS"]) == list(graph.rels["CODED_AS"])  # keys, in order
    assert len(pack(turns)) < len(pack(list(turns)))  # one column per field, not a record each


def test_columns_that_do_not_fit_their_names_are_damage():
    forged = pack(["Turn", ["speaker", "text"], [False, ["a"]]])  # two fields, one column
    with pytest.raises(DamagedKeptFile):
        unpack(b"\xc7" + bytes([len(forged)]) + b"\x06" + forged)


def test_unknown_types_are_refused_both_ways(tmp_path):
    with pytest.raises(TypeError, match="cannot keep a _Planted"):
        pack(_Planted(tmp_path / "x"))
    forged = pack(["Interview", {}]).replace(b"Interview", b"Popen\x00\x00\x00\x00")
    with pytest.raises(DamagedKeptFile):
        unpack(b"\xc7" + bytes([len(forged)]) + b"\x03" + forged)  # an ext record naming an unknown type


def test_a_truncated_or_foreign_file_reads_as_missing(tmp_path):
    path = tmp_path / "kept"
    write_kept(path, {"a": (1, 2)})
    assert read_kept(path) == {"a": (1, 2)}
    path.write_bytes(path.read_bytes()[:-1])
    assert read_kept(path) is None
    path.write_bytes(b"PK\x03\x04 anything else")
    assert read_kept(path) is None


def test_leftovers_of_a_killed_load_are_removed_by_the_next(loaded):
    planted = [
        loaded / ".new-abc123",  # written.snapshot's temporary
        loaded / "parsed" / ".new-def456",
        loaded / "fragments" / ".new-789abc",
        loaded / "sources" / ".0123.4242.tmp",
    ]
    for path in planted:
        path.write_bytes(b"half written")
    assert _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv").exit_code in (0, 2)
    assert [p for p in planted if p.exists()] == []


def test_kept_files_that_check_out_but_hold_something_else_are_rebuilt(loaded):
    import hashlib

    from challenge_graph.graph.kept_values import MAGIC

    def plant(path, value):
        payload = pack(value)
        path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)

    before = _texts(loaded)
    plant(loaded / "written.snapshot", 42)
    for path in (loaded / "parsed").iterdir():
        plant(path, ["x"])
    for path in (loaded / "fragments").iterdir():
        plant(path, "x")
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    assert _texts(loaded) == before


def test_a_deeply_nested_kept_value_is_damage_never_a_crash(tmp_path):
    import hashlib

    import msgpack

    from challenge_graph.graph.kept_values import MAGIC

    payload = msgpack.packb([1])
    for _ in range(250):  # each level is a nested unpack: 250 of them overflowed the C stack
        payload = msgpack.packb([msgpack.ExtType(1, payload)])
    path = tmp_path / "kept"
    path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    assert read_kept(path) is None

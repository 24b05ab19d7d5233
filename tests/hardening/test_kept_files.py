"""A database folder holds data, never code: kept files are MessagePack with a checksum (a
planted pickle is never run), a changed byte is noticed and rebuilt, and a changed copy of a
source is reported, never built into the graph."""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from pathlib import Path

import msgpack
import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.graph import kept_values
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.interview_build import Fragment
from challenge_graph.graph.kept_files import read_kept, write_kept
from challenge_graph.graph.kept_values import DamagedKeptFile, LazyRecords, PackedRows, pack, unpack
from challenge_graph.graph.model import Coding, Interview, Turn
from challenge_graph.pipeline.fragments import FragmentCache
from challenge_graph.pipeline.kept_store import KeptStore
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


def _kept_values(db: Path, kind: str | None = None) -> list[bytes]:
    """The values in the store's kept file (of ``kind``, else all), read with SQLite alone."""
    with contextlib.closing(sqlite3.connect(db / "kept.sqlite")) as kept:
        rows = kept.execute("SELECT kind, value FROM kept").fetchall()
    return [value for k, value in rows if kind in (None, k)]


def _replace_values(db: Path, kind: str, change) -> int:
    """Set each value of ``kind`` in the kept file to ``change(value)`` (unchanged when it gives
    None); how many were changed."""
    with contextlib.closing(sqlite3.connect(db / "kept.sqlite")) as kept, kept:
        rows = kept.execute("SELECT key, value FROM kept WHERE kind = ?", (kind,)).fetchall()
        changed = [(new, kind, key) for key, value in rows if (new := change(value)) is not None]
        kept.executemany("UPDATE kept SET value = ? WHERE kind = ? AND key = ?", changed)
    return len(changed)


@pytest.fixture
def loaded(tmp_path):
    db = tmp_path / "db"
    assert _load(db, EXAMPLES).exit_code == 0
    return db


def test_no_kept_value_is_a_pickle(loaded):
    values = [(loaded / "written.snapshot").read_bytes(), *_kept_values(loaded)]
    assert {"parsed", "fragment"} <= {kind for kind in ("parsed", "fragment") if _kept_values(loaded, kind)}
    for data in values:
        assert data.startswith(b"challenge-graph kept v1\n"), data[:40]
        with pytest.raises(Exception):  # noqa: B017 - any refusal: it is not a pickle at all
            pickle.loads(data)
    assert not (loaded / "parsed").exists() and not (loaded / "fragments").exists()  # one kept file, not one per entry


@pytest.mark.parametrize("where", ["written.snapshot", "parsed", "fragment"])
def test_a_planted_pickle_is_never_run(loaded, tmp_path, where):
    marker = tmp_path / "ran"
    before = _texts(loaded)
    planted = pickle.dumps(_Planted(marker))
    if where.endswith("snapshot"):
        (loaded / where).write_bytes(planted)
    else:
        assert _replace_values(loaded, where, lambda value: planted) > 0
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code in (0, 2), result.output
    assert not marker.exists(), f"a pickle planted in {where} was run"
    assert _texts(loaded) == before  # rebuilt from the sources, the same graph


def test_a_planted_pickle_among_remembered_figures_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    kept = KeptStore(tmp_path / "kept.sqlite")
    first = FragmentCache(kept)
    assert first.remember(("likeness", "a", "b"), lambda: 0.5) == 0.5
    first.keep_only([])
    assert FragmentCache(kept).remember(("likeness", "a", "b"), lambda: 0.25) == 0.5  # kept between loads
    with contextlib.closing(sqlite3.connect(tmp_path / "kept.sqlite")) as db, db:
        assert db.execute("UPDATE kept SET value = ? WHERE kind = 'memo'", (pickle.dumps(_Planted(marker)),)).rowcount
    assert FragmentCache(kept).remember(("likeness", "a", "b"), lambda: 0.25) == 0.25  # computed again
    assert not marker.exists()
    kept.close()


@pytest.mark.parametrize("kind", ["fragment:parts", "parsed:parts"])
def test_a_changed_byte_in_a_kept_text_never_reaches_the_graph(loaded, kind):
    """An interview's text is kept apart from the rest of its entry and read only when a step
    uses it: a changed byte found then fails nothing but the kept file, and the load runs again
    from the sources."""

    def edit(value):  # the same length: only the checksum tells
        return value.replace(SENTENCE.encode(), b"pretty hard") if SENTENCE.encode() in value else None

    before = _texts(loaded)
    assert _replace_values(loaded, kind, edit) == 1
    if kind.startswith("parsed"):  # the text of a parsed file is read when its interview is built
        assert _replace_values(loaded, "fragment", lambda value: b"not a kept value") > 0
    (loaded / "written.snapshot").unlink()  # the next load writes every row, from the kept fragments
    assert _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv").exit_code in (0, 2)
    assert _texts(loaded) == before
    assert not [value for value in _kept_values(loaded, kind) if b"pretty hard" in value]  # the file was built again


def test_a_changed_copy_of_a_source_is_reported_and_the_graph_kept(loaded, tmp_path):
    copy = next(p for p in (loaded / "sources").iterdir() if SENTENCE.encode() in p.read_bytes())
    copy.write_bytes(copy.read_bytes().replace(SENTENCE.encode(), b"pretty hard"))
    (loaded / "kept.sqlite").unlink()  # the next load must read the copies again
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
    graph.nodes["Coder"]["filed-elsewhere"] = {"id": "x", "name": "a row whose id is not its key"}
    graph.rels["PART_OF"][("x",)] = {"dst": "t", "src": "s", "srcLabel": "Stage", "dstLabel": "Stage"}
    back = unpack(pack([interview, graph]))
    assert back[0] == interview and tuple(back[0].turns) == turns and type(back[0].codings[0].positions) is tuple
    back[1].read_held()  # the excerpts come back packed (test_excerpts_come_back_packed_until_read)
    assert back[1].nodes == graph.nodes and back[1].rels == graph.rels
    assert list(back[1].rels["CODED_AS"]) == list(graph.rels["CODED_AS"])  # keys, in order
    assert len(pack(turns)) < len(pack(list(turns)))  # one column per field, not a record each


def test_repeated_strings_come_back_as_one_object_each():
    graph = GraphData()
    for n in range(40):
        graph.add_node("Excerpt", {"id": f"i-1:{n}", "text": f"turn {n}", "interview": "i-1", "role": "participant"})
        graph.add_rel("MENTIONS", ("Excerpt", f"i-1:{n}"), ("Tool", "docker"))
    back = unpack(pack(graph))
    back.read_held()
    assert back.nodes == graph.nodes and back.rels == graph.rels
    assert list(back.rels["MENTIONS"]) == list(graph.rels["MENTIONS"])
    interviews = {id(row["interview"]) for row in back.nodes["Excerpt"].values()}
    labels = {id(row["srcLabel"]) for row in back.rels["MENTIONS"].values()}
    assert len(interviews) == 1 and len(labels) == 1  # one string each, not one per row
    texts = [row["text"] for row in back.nodes["Excerpt"].values()]
    assert texts == [f"turn {n}" for n in range(40)]  # distinct values are kept as they are


def test_excerpts_come_back_packed_until_read():
    graph = GraphData()
    for n in range(3):
        graph.add_node("Excerpt", {"id": f"i-1:{n}", "text": f"turn {n}", "interview": "i-1"})
    graph.add_node("Interview", {"id": "i-1", "title": "Interview 1"})
    back = unpack(pack(graph))
    assert dict(back.nodes) == {"Interview": graph.nodes["Interview"]}  # the excerpts are not decoded
    (packed,) = back.held["Excerpt"].values()
    assert isinstance(packed, PackedRows) and packed.count == 3
    assert back.counts() == graph.counts() == {"Interview": 1, "Excerpt": 3, "FROM": 3}
    assert back.owned_rows("Excerpt", {"i-2"}) == [] and "Excerpt" in back.held
    names = ["id", "text", "interview", "page"]  # a property no row has: None in each
    columns = list(back.column_batches("Excerpt", names))
    assert columns == list(graph.column_batches("Excerpt", names)) and "Excerpt" in back.held
    assert columns[0]["page"] == [None] * 3
    assert back.node_rows("Excerpt") == graph.node_rows("Excerpt") and not back.held


def test_a_write_that_reads_the_packed_excerpts_last_lets_go_of_them_and_their_count_stays():
    graph = GraphData()
    for n in range(3):
        graph.add_node("Excerpt", {"id": f"i-1:{n}", "text": f"turn {n}", "interview": "i-1"})
    back = unpack(pack(graph))
    names = ["id", "text"]
    assert list(back.column_batches("Excerpt", names, release=True)) == list(graph.column_batches("Excerpt", names))
    assert back.counts() == graph.counts() == {"Excerpt": 3, "FROM": 3}
    with pytest.raises(ValueError, match="released once they were written"):
        back.node_rows("Excerpt")


def test_an_interviews_turns_come_back_undecoded_until_read():
    turns = tuple(Turn(f"S{n % 2}", f"text {n}", n, n + 3, "participant") for n in range(4))
    interview = Interview("i-1", "Interview 1", "a.txt", "plain", turns)
    back = unpack(pack(interview))
    assert isinstance(back.turns, LazyRecords) and len(back.turns) == 4
    sent = pickle.loads(pickle.dumps(back))  # to a worker process: as its bytes, still undecoded
    assert isinstance(sent.turns, LazyRecords) and unpack(pack(sent)) == interview
    assert back == interview and hash(back) == hash(interview) and back.turns[1:3] == turns[1:3]
    assert [t.text for t in back.turns] == [t.text for t in turns]
    assert type(pickle.loads(pickle.dumps(back)).turns) is tuple  # once read, a plain tuple


def test_a_run_of_records_that_does_not_hold_what_it_says_is_damage():
    turns = tuple(Turn("S", f"text {n}", n, n) for n in range(3))
    columns = pack(kept_values._record_columns(turns))
    with pytest.raises(DamagedKeptFile, match="a count and its bytes"):
        unpack(pack(msgpack.ExtType(8, pack([1, columns]))))  # a run is never of one record
    lying = unpack(pack(msgpack.ExtType(8, pack([4, columns]))))
    assert len(lying) == 4
    with pytest.raises(DamagedKeptFile, match="another number of records"):
        list(lying)
    assert unpack(pack(msgpack.ExtType(8, pack([3, columns])))) == turns


def test_a_packed_table_that_does_not_hold_what_it_says_is_damage():
    rows = {f"i-1:{n}": {"id": f"i-1:{n}", "text": "t"} for n in range(3)}
    table = pack([["id", "text"], [0, list(rows)], [0, ["t"] * 3]])
    with pytest.raises(DamagedKeptFile, match="a count and its bytes"):
        unpack(pack(msgpack.ExtType(7, pack(["3", table]))))
    lying = unpack(pack(msgpack.ExtType(7, pack([4, table]))))  # the checksum cannot tell: a forged file
    assert lying.count == 4
    with pytest.raises(DamagedKeptFile, match="another number of rows"):
        lying.rows()
    with pytest.raises(DamagedKeptFile, match="another number of rows"):
        lying.columns()
    assert unpack(pack(msgpack.ExtType(7, pack([3, table])))).rows() == rows


@pytest.mark.parametrize("forged", ["excerpts", "their relationships"])
def test_a_kept_build_whose_excerpts_do_not_decode_is_built_again(loaded, monkeypatch, forged):
    """A forged entry (its checksum matches, its rows do not) is found when its rows are read,
    late in the load: nothing is written then, and the load runs again from the sources."""
    before = _texts(loaded)
    real = kept_values._packed_rows

    def lying(rows, keys_of=None):  # what a forged entry could hold: its checksum matches, its count does not
        if (keys_of is None) != (forged == "excerpts"):
            return real(rows, keys_of)
        keys_of, code = (kept_values._node_keys, 7) if keys_of is None else (keys_of, 9)
        table = kept_values._table(rows, keys_of, ("id",) if code == 7 else kept_values._REL_ENDS)
        return msgpack.ExtType(code, pack([len(rows) + 1, pack(table)]))

    kept = KeptStore(loaded / "kept.sqlite")
    keys = sorted(kept.keys("fragment"))
    for key in keys:
        fragment = kept.get("fragment", key, Fragment)
        fragment.graph.read_held()
        with monkeypatch.context() as patch:
            patch.setattr(kept_values, "_packed_rows", lying)
            kept.put("fragment", key, fragment)
    with pytest.raises(DamagedKeptFile, match="another number of rows"):
        kept.get("fragment", keys[0], Fragment).graph.read_held()  # forged as meant
    kept.close()
    (loaded / "written.snapshot").unlink()  # the next load writes every row: it reads every excerpt
    result = _load(loaded, EXAMPLES)
    assert result.exit_code == 0, result.output
    assert _texts(loaded) == before
    kept = KeptStore(loaded / "kept.sqlite")
    for key in kept.keys("fragment"):  # built again
        kept.get("fragment", key, Fragment).graph.read_held()
    kept.close()


def test_dictionary_indexes_out_of_range_are_damage():
    forged = pack(["Turn", ["speaker"], [2, ["a"], [0, 5]]])
    with pytest.raises(DamagedKeptFile):
        unpack(b"\xc7" + bytes([len(forged)]) + b"\x06" + forged)


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
        loaded / "sources" / ".0123.4242.tmp",
        loaded / "parsed" / "0123abcd",  # where earlier versions kept parsed files and built interviews
        loaded / "fragments" / ".new-789abc",
    ]
    for path in planted:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half written")
    assert _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv").exit_code in (0, 2)
    assert [p for p in planted if p.exists()] == []
    assert not (loaded / "parsed").exists() and not (loaded / "fragments").exists()


@pytest.mark.parametrize(
    "damage",
    [
        b"PK\x03\x04 not a database at all",
        b"SQLite format 3\x00" + bytes(200),  # a database's header, and nothing after it
        "a database of another shape",
    ],
)
def test_a_damaged_kept_file_is_replaced_and_the_graph_rebuilt(loaded, damage):
    before = _texts(loaded)
    kept = loaded / "kept.sqlite"
    if isinstance(damage, bytes):
        kept.write_bytes(damage)
    else:
        kept.unlink()
        with contextlib.closing(sqlite3.connect(kept)) as other, other:
            other.execute("CREATE TABLE kept (name TEXT, data BLOB)")
            other.execute("INSERT INTO kept VALUES ('x', 'y')")
    (loaded / "written.snapshot").unlink()  # the next load writes every row, from what it builds again
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    assert _texts(loaded) == before
    assert _kept_values(loaded, "fragment")  # kept again, in a new file


def test_kept_files_that_check_out_but_hold_something_else_are_rebuilt(loaded):
    import hashlib

    from challenge_graph.graph.kept_files import MAGIC

    def plant(path, value):
        payload = pack(value)
        path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)

    before = _texts(loaded)

    def planted(value):
        payload = pack(value)
        return MAGIC + hashlib.sha256(payload).digest() + payload

    plant(loaded / "written.snapshot", 42)
    assert _replace_values(loaded, "parsed", lambda _: planted(["x"])) > 0
    assert _replace_values(loaded, "fragment", lambda _: planted("x")) > 0
    result = _load(loaded, EXAMPLES / "jiang-2024" / "participants.csv")
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    assert _texts(loaded) == before


def test_a_deeply_nested_kept_value_is_damage_never_a_crash(tmp_path):
    import hashlib

    import msgpack

    from challenge_graph.graph.kept_files import MAGIC

    payload = msgpack.packb([1])
    for _ in range(250):  # each level is a nested unpack: 250 of them overflowed the C stack
        payload = msgpack.packb([msgpack.ExtType(1, payload)])
    path = tmp_path / "kept"
    path.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)
    assert read_kept(path) is None


def test_records_by_key_round_trip_as_columns_and_a_forged_count_is_damage():
    from challenge_graph.graph.codebook import CodeInfo
    from challenge_graph.graph.interview_build import Fragment

    infos = {f"c-{n}": CodeInfo(f"C-{n}", "Challenge", f"C {n}", "cat", "stage", "", True) for n in range(3)}
    fragment = Fragment(GraphData(), infos, None)
    kept = pack(fragment)
    assert len(kept) < len(pack([fragment.graph, list(infos), *infos.values()]))  # a column per field
    back = unpack(kept)
    assert back.infos == infos and list(back.infos) == list(infos)
    forged = pack([["c-0", "c-1"], pack(kept_values._record_columns(tuple(infos.values())))])
    with pytest.raises(DamagedKeptFile, match="another number"):
        unpack(b"\xc7" + bytes([len(forged)]) + b"\x0a" + forged)

"""Codes merge ignoring case, but keep the spelling their coders used most, whatever the order
of the files, and the report says which spellings were merged."""

from __future__ import annotations

from collections import Counter

from challenge_graph.pipeline.ingest import check, ingest, read_codebook
from challenge_graph.store.ladybug_store import LadybugStore

LOWER, CAPS = "ME-metrics-meaningless-for-stakeholder", "ME-Metrics-Meaningless-For-Stakeholder"

TURNS = [
    ("Interviewer 1", "How did you evaluate the model?"),
    ("Interviewee", "We reported accuracy and F1 every sprint."),
    ("Interviewee", "The product owner never knew what a good F1 was."),
    ("Interviewee", "So the numbers went into a slide nobody read."),
    ("Interviewee", "In the end we showed them money saved instead."),
]


def _delve(coder: str, tags: dict[int, str]) -> str:
    """A Delve text export of the interview by ``coder``, with ``tags`` (turn -> code)."""
    lines = [f"Interview 9 - {coder}", ""]
    for index, (speaker, text) in enumerate(TURNS):
        lines += [speaker, "", text, ""]
        if index in tags:
            lines += [tags[index], ""]
    return "\n".join(lines) + "\n"


# Ana's file comes first by name and spells the code in lower case once; Ben spells it with
# capitals on three turns
FILES = {
    "interview-9-ana.txt": _delve("Ana", {2: LOWER}),
    "interview-9-ben.txt": _delve("Ben", {1: CAPS, 2: CAPS, 3: CAPS}),
}


def _spellings() -> Counter[str]:
    """Each spelling and the turns tagged with it, read off the files' tag lines."""
    return Counter(x.strip() for text in FILES.values() for x in text.splitlines() if x.strip() in (LOWER, CAPS))


def _write(folder, names=FILES):
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(FILES[name], encoding="utf-8")
    return [folder / name for name in names]


def _codes(store):
    return [tuple(r) for r in store.run("MATCH (c:Challenge) RETURN c.id, c.code, c.name ORDER BY c.id").rows]


def test_a_code_spelt_two_ways_is_one_code_shown_as_its_coders_spelt_it_most(tmp_path):
    uses = _spellings()
    assert uses == {CAPS: 3, LOWER: 1}
    _write(tmp_path / "files")
    _, book = read_codebook(None)
    report, graph = check([tmp_path / "files"], book)
    [row] = graph.node_rows("Challenge")
    assert (row["id"], row["code"], row["name"]) == (
        CAPS.lower(),
        CAPS,  # not the first file's spelling: the most used one
        "Metrics Meaningless For Stakeholder",
    )
    assert row["quotes"] == 3  # turns 1, 2 and 3, whoever coded them
    note = (
        f"codes merged ignoring case: {CAPS} = {LOWER} "
        f"(kept: {CAPS}, the spelling on {uses[CAPS]} of {sum(uses.values())} tagged turns)"
    )
    assert note in report.notes


def test_the_kept_spelling_never_depends_on_the_order_of_loads(tmp_path):
    ana, ben = sorted(FILES)
    rows = []
    for order in ([ana, ben], [ben, ana]):  # one file, then the other: incremental loads
        store = LadybugStore(tmp_path / f"db-{order[0]}")
        for name in order:
            [path] = _write(tmp_path / "files", [name])
            report = ingest(store, [path])
        rows.append(_codes(store))
        store.close()
    full = LadybugStore(tmp_path / "db-full")
    ingest(full, _write(tmp_path / "files"))
    rows.append(_codes(full))
    full.close()
    assert rows[0] == rows[1] == rows[2] == [(CAPS.lower(), CAPS, "Metrics Meaningless For Stakeholder")]
    assert any(n.startswith(f"codes merged ignoring case: {CAPS} = {LOWER} (kept: {CAPS}") for n in report.notes)


def test_a_code_spelt_one_way_gives_no_note(tmp_path):
    _write(tmp_path / "files", ["interview-9-ben.txt"])
    _, book = read_codebook(None)
    report, graph = check([tmp_path / "files"], book)
    assert [r["code"] for r in graph.node_rows("Challenge")] == [CAPS]
    assert not [n for n in report.notes if n.startswith("codes merged")]

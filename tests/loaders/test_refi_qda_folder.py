"""REFI-QDA projects exported unpacked (MAXQDA): ``project.qde`` beside a ``sources/`` folder.

Each folder is built here: the project names its texts by GUID file names, as MAXQDA does. The
expected figures are counted from the XML written here with regular expressions.
"""

from __future__ import annotations

import re

import pytest

from challenge_graph.graph.model import Interview, SourceFile
from challenge_graph.loaders import load_paths, parse_source, read_sources
from challenge_graph.loaders.refi_qda import parse_qde

TEXTS = {
    "{A1}.txt": "Interviewer: What slowed you down?\n\nP1: The labels came late.\n",
    "{B2}.txt": "Interviewer: And the data?\n\nP2: Half of it was missing.\n\nP2: We waited.\n",
}
WORDS = {"{A1}.txt": "labels", "{B2}.txt": "missing"}


def _project(texts=TEXTS, words=WORDS, path="internal://{name}") -> str:
    sources = []
    for n, (name, text) in enumerate(texts.items()):
        start = text.index(words[name])
        sources.append(
            f'<TextSource name="interview {n + 1}" plainTextPath="{path.format(name=name)}" guid="t{n}">'
            f'<PlainTextSelection guid="s{n}" startPosition="{start}" endPosition="{start + len(words[name])}" '
            f'creatingUser="u1"><Coding guid="k{n}" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding>'
            "</PlainTextSelection></TextSource>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" origin="MAXQDA 2022 (Release 22.7.0)">'
        '<Users><User name="ana" guid="u1"/></Users>'
        '<CodeBook><Codes><Code name="delays" guid="c1"/></Codes></CodeBook>'
        f"<Sources>{''.join(sources)}</Sources></Project>"
    )


def _export(tmp_path, sources="sources", project=None, texts=TEXTS, extra=()):
    folder = tmp_path / "maxqda-export"
    (folder / sources).mkdir(parents=True)
    (folder / "project.qde").write_text(project or _project(texts), encoding="utf-8")
    for name, text in texts.items():
        (folder / sources / name).write_text(text, encoding="utf-8")
    for name in extra:  # files of the sources folder the project does not name as text
        (folder / sources / name).write_bytes(b"%PDF-1.4 not a transcript")
    return folder


def _summary(result) -> list[tuple[str, str, str, str]]:
    """(file, interview, coded turn, coder) for every coding loaded."""
    return [
        (source.name, record.title, record.turns[c.positions[0]].text, c.coder)
        for source, record in result.records
        if isinstance(record, Interview)
        for c in record.codings
    ]


def _expected(project: str, texts=TEXTS) -> list[tuple[str, str, str, str]]:
    """From the XML: each text source's name, and the paragraph holding its selection's text."""
    out = []
    for name, path, start, end in re.findall(
        r'<TextSource name="([^"]+)" plainTextPath="internal://([^"]+)".*?startPosition="(\d+)" endPosition="(\d+)"',
        project,
    ):
        text = texts[path]
        word = text[int(start) : int(end)]
        [paragraph] = [p.split(": ", 1)[1].strip() for p in text.split("\n\n") if word in p]
        out.append(("project.qde", name, paragraph, "ana"))
    return out


@pytest.mark.parametrize("sources", ["sources", "Sources"])
def test_the_folder_and_its_qde_load_as_one_project(tmp_path, sources):
    folder = _export(tmp_path, sources, extra=["{C3}.pdf"])
    expected = _expected(_project())
    assert len(expected) == len(TEXTS) == 2
    for given in (folder, folder / "project.qde"):
        result = load_paths([given])
        assert result.rejected == [] and result.skipped == []
        assert [s.name for s, _ in result.records] == ["project.qde"] * 2  # no stray transcript, no PDF
        assert [s.where for s, _ in result.records] == [str(folder / "project.qde")] * 2
        assert _summary(result) == expected


def test_a_parent_folder_finds_the_project_too(tmp_path):
    _export(tmp_path)
    (tmp_path / "loose.txt").write_text("Interviewer: Hi?\nP9: Hello.\n", encoding="utf-8")
    result = load_paths([tmp_path])
    assert sorted({s.name for s, _ in result.records}) == ["loose.txt", "maxqda-export/project.qde"]
    assert result.rejected == [] and result.skipped == []


def test_the_same_folder_reads_to_the_same_bytes_and_a_changed_text_changes_them(tmp_path):
    folder = _export(tmp_path)
    [first], _, _ = read_sources([folder])
    [again], _, _ = read_sources([folder / "project.qde"])
    assert first.sha256 == again.sha256 and first.name == again.name == "project.qde"
    (folder / "sources" / "{A1}.txt").write_text(TEXTS["{A1}.txt"].replace("came", "were"), encoding="utf-8")
    [changed], _, _ = read_sources([folder])
    assert changed.sha256 != first.sha256
    # the stored copy is the project with its texts: it parses again with no folder beside it
    records = parse_source(SourceFile(changed.name, changed.data))
    assert records[0].turns[1].text == "The labels were late."


def test_a_qde_alone_reads_inline_texts_and_says_where_it_looked_for_files(tmp_path):
    inline = (
        '<Project xmlns="urn:QDA-XML:project:1.0"><Sources><TextSource name="p" guid="t">'
        "<PlainTextContent>Interviewer: Hi?\nP1: Hello.</PlainTextContent></TextSource></Sources></Project>"
    )
    [iv] = parse_qde(inline.encode(), "alone.qde")
    assert [t.text for t in iv.turns] == ["Hi?", "Hello."]
    (tmp_path / "alone.qde").write_text(_project(), encoding="utf-8")
    result = load_paths([tmp_path / "alone.qde"])
    [error] = result.rejected
    assert "text source file 'internal://{A1}.txt' is not in the sources folder beside the .qde" in str(error)


def test_a_text_the_project_names_but_the_folder_lacks_is_a_clear_error(tmp_path):
    folder = _export(tmp_path)
    (folder / "sources" / "{B2}.txt").unlink()
    [error] = load_paths([folder]).rejected
    assert str(error).startswith(str(folder / "project.qde"))
    assert "'internal://{B2}.txt' is not in the sources folder beside the .qde" in str(error)


def test_project_and_texts_past_the_limit_are_refused_before_they_are_read(tmp_path, monkeypatch):
    from challenge_graph.loaders import refi_qda

    folder = _export(tmp_path)
    size = (folder / "project.qde").stat().st_size + sum(len(t.encode()) for t in TEXTS.values())
    monkeypatch.setitem(refi_qda.LIMITS, "max_unpacked_bytes", size - 1)
    [error] = load_paths([folder]).rejected
    assert f"the project and its texts come to {size} bytes: refused (limit {size - 1})" in str(error)
    monkeypatch.setitem(refi_qda.LIMITS, "max_unpacked_bytes", size)
    assert load_paths([folder]).rejected == []


def test_a_malformed_qde_beside_its_sources_is_rejected_alone(tmp_path):
    folder = _export(tmp_path, project="<Project")
    result = load_paths([folder])
    [error] = result.rejected
    assert "project.qde is not well-formed XML" in str(error) and result.records == []


def test_a_load_reads_the_project_again_when_a_text_of_its_folder_changes(tmp_path):
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore

    def coded(store):
        rows = store.run("MATCH (e:Excerpt)-[:CODED_AS]->(c) RETURN e.text, c.code ORDER BY e.text").rows
        return [tuple(r) for r in rows]

    folder = _export(tmp_path)
    store = LadybugStore(tmp_path / "db")
    try:
        report = ingest(store, [folder])
        assert not report.rejected and report.loaded == ["project.qde"]
        assert coded(store) == [("Half of it was missing.", "delays"), ("The labels came late.", "delays")]
        (folder / "sources" / "{B2}.txt").write_text(TEXTS["{B2}.txt"].replace("Half", "Most"), encoding="utf-8")
        assert not ingest(store, [folder / "project.qde"]).rejected  # the same project, given by its file
        assert coded(store) == [("Most of it was missing.", "delays"), ("The labels came late.", "delays")]
        assert [s.name for s in store.sources() if s.name.endswith(".qde")] == ["project.qde"]
    finally:
        store.close()

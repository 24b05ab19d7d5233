"""`check` counts a file's codings as the graph stores them: one per turn per code per coder,
never one per run of consecutive turns a tag covers."""

from __future__ import annotations

import re

from challenge_graph.graph.codebook import parse_codebook
from challenge_graph.pipeline.ingest import check, ingest, read_codebook
from challenge_graph.store.ladybug_store import LadybugStore

TAGS = ("Data-drift", "data-DRIFT", "ME-metrics-meaningless", "MM-alerts-noisy", "Misc-bookkeeping")

# a Delve text export: paragraphs, each followed by the tags on it; one tag runs over three
# paragraphs, one paragraph carries a code twice in two spellings (one code in the graph)
PARAGRAPHS = [
    ("Interviewer 1", "What broke first in the pipeline?", ()),
    ("Interviewee", "The input data changed every week.", ("Data-drift",)),
    ("Interviewee", "Nobody noticed for a month.", ("Data-drift", "MM-alerts-noisy")),
    ("Interviewee", "The alerts fired all the time, so we muted them.", ("Data-drift", "data-DRIFT")),
    ("Interviewer 1", "And the evaluation?", ()),
    ("Interviewee", "Accuracy said nothing to the product team.", ("ME-metrics-meaningless",)),
    ("Interviewee", "They wanted money figures.", ("Misc-bookkeeping",)),
    ("Interviewee", "Then the data drifted again.", ("Data-drift", "ME-metrics-meaningless")),
]


def _delve(coder: str) -> str:
    lines = [f"Interview 7 - {coder}", ""]
    for speaker, text, tags in PARAGRAPHS:
        lines += [speaker, "", text, ""]
        for tag in tags:
            lines += [tag, ""]
    return "\n".join(lines) + "\n"


def _tags_on_turns(text: str, ignored: tuple[str, ...] = ()) -> int:
    """Read the export another way: every tag line belongs to the last paragraph above it;
    count the distinct (paragraph, code ignoring case) pairs."""
    pairs, paragraph = set(), -1
    for line in filter(None, (x.strip() for x in text.splitlines()[1:])):
        if line in TAGS:
            if line not in ignored:
                pairs.add((paragraph, line.casefold()))
        elif line not in ("Interviewer 1", "Interviewee"):
            paragraph += 1
    return len(pairs)


def _reported(line: str) -> int:
    return int(re.search(r"(\d+) codings \(one per code per turn\)", line).group(1))


def test_check_counts_one_coding_per_turn_per_code_as_the_graph_stores(tmp_path):
    text = _delve("Ana")
    (tmp_path / "interview-7-ana.txt").write_text(text, encoding="utf-8")
    expected = _tags_on_turns(text)
    assert expected == 8  # in 7 runs of consecutive turns (what check used to count)
    _, book = read_codebook(None)
    report, _ = check([tmp_path], book)
    [line] = [x for x in report.files if x.startswith("interview-7-ana.txt")]
    assert _reported(line) == expected
    tags = sum(x.strip() in TAGS for x in text.splitlines())
    assert line.endswith(f"{expected} codings (one per code per turn) by Ana; {tags} code tags read, {tags} placed")
    store = LadybugStore(tmp_path / "db")
    ingest(store, [tmp_path / "interview-7-ana.txt"])
    stored = store.run("MATCH (:Excerpt)-[r:CODED_AS]->() WHERE r.coder = 'Ana' RETURN count(r)").rows[0][0]
    store.close()
    assert stored == expected


def test_each_coders_file_counts_what_the_graph_stores_for_that_coder(tmp_path):
    for coder in ("Ana", "Ben"):
        (tmp_path / f"interview-7-{coder.lower()}.txt").write_text(_delve(coder), encoding="utf-8")
    _, book = read_codebook(None)
    report, graph = check([tmp_path], book)
    assert graph.node_rows("Interview")[0]["id"] == "interview-7"  # one interview, two coders
    for coder in ("Ana", "Ben"):
        [line] = [x for x in report.files if x.startswith(f"interview-7-{coder.lower()}.txt")]
        rows = [r for r in graph.rel_rows("CODED_AS") if r["coder"] == coder]
        assert _reported(line) == len(rows) == _tags_on_turns(_delve(coder))


def test_codes_of_kind_ignore_are_not_counted(tmp_path):
    text = _delve("Ana")
    (tmp_path / "interview-7-ana.txt").write_text(text, encoding="utf-8")
    book = parse_codebook(
        "workflow:\n  - {id: data, name: Data}\nprefixes:\n"
        "  - {prefix: Data, kind: challenge, category: Data, stage: data}\n  - {prefix: Misc, kind: ignore}\n"
    )
    report, graph = check([tmp_path], book)
    [line] = [x for x in report.files if x.startswith("interview-7-ana.txt")]
    expected = _tags_on_turns(text, ignored=("Misc-bookkeeping",))
    assert _reported(line) == len(graph.rel_rows("CODED_AS")) == expected == 7
    assert report.ignored == {"Misc-bookkeeping": 1}

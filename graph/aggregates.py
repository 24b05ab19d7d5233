"""Figures the named queries would otherwise count over every quote, stored with the graph.

:func:`add_aggregates` (each study's build) and the functions named in the last items (the whole
graph, once the studies are put together) read the finished
:class:`~challenge_graph.graph.build.GraphData` (its rows only, never the order they came in)
and add properties to small global nodes and rows of small tables of their own:

- ``allQuotes`` and ``allParticipants`` on every Challenge, Fix and Practice: participant turns
  coded with it by any coder, the suggestions of ``auto`` included, and who said them
  (``quotes`` and ``participants`` leave suggestions out);
- ``(Participant)-[:REPORTED {interview, quotes, allInterviews}]->(Challenge|Fix|Practice)``: a
  participant's turns of one interview coded with a code, by any coder, and their turns of every
  interview (a participant can speak in several; LadybugDB's sum() is a 128-bit integer that a
  UNION with 64-bit counts refuses, so the network queries read ``allInterviews`` instead);
- ``(Participant)-[:MENTIONED {quotes}]->(Tool)``: a participant's turns that mention a tool;
- ``(Challenge)-[:MENTIONED_WITH {participants, quotes}]->(Tool)``: participant turns coded
  with the challenge (any coder) that mention the tool;
- ``(Tool)-[:MENTIONED_AT {participants, quotes}]->(Stage)``: participant turns that mention
  the tool and carry a code (any kind, any coder) at the stage;
- ``(Challenge)-[:CO_OCCURS {excerpts, codings}]->(Challenge)``, both ways: turns (any speaker)
  coded with both, and pairs of their codings (a turn coded by two coders with each counts 4);
- ``StageCategory`` nodes: per stage and challenge category, the challenges coded there and
  the participant turns (any coder) behind them;
- ``CorpusCount`` nodes: what corpus-summary lists, one node per item;
- on each ``Study``, ``quotes`` (:func:`add_study_quotes`): the participant turns a person (no
  coder named ``auto…``) coded with one of the study's challenges;
- ``CodedTurns`` nodes (:func:`add_coded_turns`): every coding grouped by code and coder, its
  turns as a list of excerpt ids in interview and position order (what the method analyses read);
- ``(Study)-[:COVERS {challenges, participants, quotes}]->(ReferenceStage)``
  (:func:`add_study_coverage`): the study's
  challenges coded by a person on participant turns at its stages mapped onto the reference
  stage, the participants who said those turns and the turns (what study-comparison lists).

Every figure is a function of the rows alone, so a build that assembles its rows in any order
(or from cached per-interview fragments) stores the same figures. Each has a test that counts
it again over the paths, on both stores.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from challenge_graph.graph.figures import SEP, FigureTotals, totals_of
from challenge_graph.graph.graph_data import GraphData, excerpt_place
from challenge_graph.graph.model import CODE_LABELS

__all__ = [
    "add_aggregates",
    "add_corpus_counts",
    "add_study_quotes",
    "add_coded_turns",
    "add_study_coverage",
    "AGGREGATE_NODES",
    "AGGREGATE_RELS",
    "CORPUS_ITEMS",
]

# corpus-summary's items: item -> node label counted (coded_excerpts is counted apart)
CORPUS_ITEMS = {
    "interviews": "Interview",
    "participants": "Participant",
    "coders": "Coder",
    "excerpts": "Excerpt",
    "coded_excerpts": "",
    "challenges": "Challenge",
    "fixes": "Fix",
    "practices": "Practice",
    "tools": "Tool",
    "stages": "Stage",
}

Code = tuple[str, str]  # (label, id)


# the tables only this module fills: computed again, never added to, when the codings change
AGGREGATE_NODES = ("StageCategory", "CorpusCount")
AGGREGATE_RELS = ("REPORTED", "MENTIONED", "MENTIONED_WITH", "MENTIONED_AT", "CO_OCCURS")


def add_aggregates(graph: GraphData, totals: FigureTotals | None = None) -> None:
    """Store the figures listed in this module's docstring, up to ``CorpusCount``, and the
    evidence counts on codes and stages (``quotes``, ``participants``, ``interviews``: a person's
    codings only) on ``graph`` (in place): from ``totals``, its interviews' figures put together
    (:mod:`graph.figures`), else counted from its rows; called again after codings were added
    (suggestions), it replaces them."""
    for label in AGGREGATE_NODES:
        graph.nodes.pop(label, None)
    for rel in AGGREGATE_RELS:
        graph.rels.pop(rel, None)
    totals = totals or totals_of(graph)
    _add_evidence(graph, totals)
    every: Counter[str] = Counter()
    for key, n in totals.reported.items():
        every[key.rpartition(SEP)[0]] += n
    for key, n in totals.reported.items():
        coded, _, interview = key.rpartition(SEP)
        participant, label, cid = coded.split(SEP)
        graph.add_rel(
            "REPORTED",
            ("Participant", participant),
            (label, cid),
            interview=interview,
            quotes=n,
            allInterviews=every[coded],
        )
    for key, n in totals.mentioned.items():
        participant, tool = key.split(SEP)
        graph.add_rel("MENTIONED", ("Participant", participant), ("Tool", tool), quotes=n)
    for key, (quotes, speakers) in totals.mentioned_with.items():
        cid, tool = key.split(SEP)
        graph.add_rel("MENTIONED_WITH", ("Challenge", cid), ("Tool", tool), participants=len(speakers), quotes=quotes)
    for key, (quotes, speakers) in totals.mentioned_at.items():
        tool, stage = key.split(SEP)
        graph.add_rel("MENTIONED_AT", ("Tool", tool), ("Stage", stage), participants=len(speakers), quotes=quotes)
    for key, (excerpts, codings) in totals.co_occurs.items():
        a, b = key.split(SEP)
        graph.add_rel("CO_OCCURS", ("Challenge", a), ("Challenge", b), excerpts=excerpts, codings=codings)
    _add_stage_categories(graph, totals)
    add_corpus_counts(graph, totals.coded_excerpts)


def _add_evidence(graph: GraphData, totals: FigureTotals) -> None:
    """The evidence counts on every code and stage: a person's codings (``quotes``,
    ``participants``, ``interviews``) and any coder's (``allQuotes``, ``allParticipants``)."""
    for label in CODE_LABELS:
        for row in graph.node_rows(label):
            code = label + SEP + row["id"]
            quotes, speakers, interviews = totals.evidence.get(code, (0, (), ()))
            row["quotes"], row["participants"], row["interviews"] = quotes, len(speakers), len(interviews)
            quotes, speakers = totals.all_quotes.get(code, (0, ()))
            row["allQuotes"], row["allParticipants"] = quotes, len(speakers)
    for row in graph.node_rows("Stage"):
        quotes, speakers = totals.stage_evidence.get(row["id"], (0, ()))
        row["quotes"], row["participants"] = quotes, len(speakers)


def _stage_of(graph: GraphData) -> dict[Code, str]:
    return {(r["srcLabel"], r["src"]): r["dst"] for r in graph.rel_rows("AT_STAGE")}


def _add_stage_categories(graph: GraphData, totals: FigureTotals) -> None:
    stage_of = _stage_of(graph)
    challenges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in graph.node_rows("Challenge"):
        if ("Challenge", row["id"]) in stage_of:
            challenges[(stage_of[("Challenge", row["id"])], row["category"])].add(row["id"])
    for (stage, cat), members in challenges.items():
        row: dict[str, Any] = {
            "id": f"{stage}{SEP}{cat}",
            "stage": stage,
            "category": cat,
            "challenges": len(members),
            "quotes": totals.cells.get(stage + SEP + cat, 0),
            "study": graph.nodes["Stage"].get(stage, {}).get("study", ""),
        }
        graph.add_node("StageCategory", row)


def add_corpus_counts(graph: GraphData, coded_excerpts: int | None = None) -> None:
    """The corpus-summary counts, one ``CorpusCount`` node per item (replacing any there);
    ``coded_excerpts``, the turns with a coding, is counted when not given."""
    graph.nodes.pop("CorpusCount", None)
    if coded_excerpts is None:
        coded_excerpts = len({r["src"] for r in graph.rel_rows("CODED_AS")})
    for item, label in CORPUS_ITEMS.items():
        total = coded_excerpts if item == "coded_excerpts" else graph.node_count(label)
        graph.add_node("CorpusCount", {"id": item, "total": total})


def add_study_quotes(graph: GraphData, quotes: dict[str, int] | None = None) -> None:
    """Store on every ``Study`` node the participant turns coded by a person (a coder whose name
    does not start with ``auto``) with one of the study's challenges: ``quotes`` by study (each
    study's :attr:`graph.figures.Figures.study_quotes`), else counted from the rows."""
    if quotes is None:
        said = {r["dst"] for r in graph.rel_rows("SAID")}
        study_of = {row["id"]: row["study"] for row in graph.node_rows("Challenge")}
        turns: dict[str, set[str]] = defaultdict(set)
        for rel in graph.rel_rows("CODED_AS"):
            if rel["dstLabel"] == "Challenge" and rel["src"] in said and not rel["coder"].startswith("auto"):
                turns[study_of[rel["dst"]]].add(rel["src"])
        quotes = {study: len(found) for study, found in turns.items()}
    for row in graph.node_rows("Study"):
        row["quotes"] = quotes.get(row["id"], 0)


def add_coded_turns(graph: GraphData, totals: FigureTotals | None = None) -> None:
    """One ``CodedTurns`` node per code and coder (replacing any there): the turns the coder
    coded with the code, as ``excerpts`` (their ids) in interview and position order; from the
    interviews' figures put together (``totals``), else from the rows."""
    graph.nodes.pop("CodedTurns", None)
    for key, excerpts in (totals or totals_of(graph)).coded_turns.items():
        label, cid, coder = key.split(SEP)
        code = graph.nodes[label][cid]
        row = {
            "id": key,
            "code": code["code"],
            "kind": code["kind"],
            "coder": coder,
            "excerpts": sorted(excerpts, key=excerpt_place),
            "study": code["study"],
        }
        graph.add_node("CodedTurns", row)


def add_study_coverage(graph: GraphData, totals: FigureTotals | None = None) -> None:
    """``COVERS`` from each ``Study`` to the reference stages its coded challenges reach (replacing
    any there): participant turns coded by a person (no coder named ``auto…``) with a challenge
    at a stage of the study that maps onto the reference stage; from the interviews' figures put
    together (``totals``), else from the rows."""
    graph.rels.pop("COVERS", None)
    totals = totals or totals_of(graph)
    references: dict[str, list[str]] = defaultdict(list)
    for rel in graph.rel_rows("MAPS_TO"):
        references[rel["src"]].append(rel["dst"])
    stages = graph.nodes.get("Stage", {})
    found: dict[tuple[str, str], tuple[set[str], set[str], list[int]]] = defaultdict(lambda: (set(), set(), [0]))
    for key, (turns, speakers) in totals.coverage_turns.items():
        # a turn is counted once for a reference stage, whichever of its stages map onto it
        for pair in {(stages[stage]["study"], ref) for stage in key.split(SEP) for ref in references.get(stage, ())}:
            _, participants, quotes = found[pair]
            participants |= speakers
            quotes[0] += turns
    for stage, (_, challenges) in totals.coverage_challenges.items():
        for ref in references.get(stage, ()):
            found[(stages[stage]["study"], ref)][0].update(challenges)
    for (study, reference), (challenges, participants, quotes) in found.items():
        graph.add_rel(
            "COVERS",
            ("Study", study),
            ("ReferenceStage", reference),
            challenges=len(challenges),
            participants=len(participants),
            quotes=quotes[0],
        )

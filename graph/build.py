"""Build the typed graph from loaded records and a codebook.

The graph is a pure function of its sources and the codebook: ids derive from content, so
building the same files twice gives the same rows. Interviews are built one by one
(:mod:`graph.interview_build`); how (here, in worker processes, or taken from an earlier load)
is the caller's choice through :class:`InterviewBuilds`, and never changes the rows.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from typing import Protocol as TypingProtocol

from challenge_graph.graph.aggregates import add_aggregates
from challenge_graph.graph.align import similarity
from challenge_graph.graph.code_names import kept_spelling, lower_first, tolerant_key
from challenge_graph.graph.codebook import IGNORED, Codebook, CodeInfo
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.figures import FigureTotals
from challenge_graph.graph.graph_data import HELD_LABELS, HELD_RELS, GraphData, TagReport, add_missing, code_id
from challenge_graph.graph.interview_build import (
    SAME_TRANSCRIPT,
    Fragment,
    InterviewGroup,
    add_code,
    build_interview,
)
from challenge_graph.graph.model import (
    CODE_LABELS,
    DEFAULT_STUDY,
    CodingSet,
    Interview,
    ParticipantSheet,
    Protocol,
    Record,
    SourceFile,
    slugify,
)
from challenge_graph.graph.speakers import identify_speakers, with_roles
from challenge_graph.graph.study_scope import scope
from challenge_graph.graph.taxonomy import load_taxonomy

__all__ = ["InterviewJob", "InterviewBuilds", "BuildEach", "build_graph", "written_rows"]

logger = logging.getLogger(__name__)

# an interview to build: its id, its records, and the labels a participants sheet calls interviewers
InterviewJob = tuple[str, InterviewGroup, tuple[str, ...]]


class InterviewBuilds(TypingProtocol):
    """How :func:`build_graph` gets each interview's rows: the same rows however they are made."""

    def similarity(self, key: Any, compute: Callable[[], float]) -> float:
        """``compute()``, or what it gave for ``key`` before."""
        ...

    def fragments(
        self, jobs: Sequence[InterviewJob], codebook: Codebook, autocode: bool
    ) -> Iterator[tuple[Fragment, str]]:
        """Each job's fragment, in the jobs' order, with the key it is kept under ("" if none).
        Each fragment is made or decoded for this build alone: the build takes its rows over."""
        ...


class BuildEach:
    """Build every interview here, in turn, keeping nothing."""

    def similarity(self, key: Any, compute: Callable[[], float]) -> float:
        return compute()

    def fragments(
        self, jobs: Sequence[InterviewJob], codebook: Codebook, autocode: bool
    ) -> Iterator[tuple[Fragment, str]]:
        for _, group, interviewers in jobs:
            yield build_interview(group, codebook, autocode, interviewers), ""


_KIND = {Interview: "interview", CodingSet: "codings", Protocol: "protocol", ParticipantSheet: "participants"}


def build_graph(
    records: Iterable[tuple[SourceFile, Record]],
    codebook: Codebook,
    autocode: bool = False,
    builds: InterviewBuilds | None = None,
    study: str = DEFAULT_STUDY,
) -> GraphData:
    """Turn ``(source file, record)`` pairs of one ``study`` into graph rows; with ``autocode``,
    add the codebook's suggestions for uncoded turns (coder ``auto``).

    Several records of the same interview (codings by several coders) merge into one
    interview: their codings are mapped onto the first record's turns by aligning the texts.
    ``builds`` says how each interview is built (:class:`BuildEach` by default); the rows are
    the same either way.
    """
    builds = builds or BuildEach()
    graph = GraphData()
    groups: dict[str, InterviewGroup] = {}
    bases: dict[str, list[InterviewGroup]] = defaultdict(list)
    coding_sets: list[tuple[SourceFile, int, CodingSet]] = []
    sheets: list[ParticipantSheet] = []
    previous, index = None, 0
    for source, record in records:
        index = index + 1 if source is previous else 0  # the record's place in its file
        previous = source
        graph.add_node(
            "Source",
            {
                "id": source.name,
                "name": source.name,
                "kind": _KIND[type(record)],
                "format": getattr(record, "format", "") or _KIND[type(record)],
                "sha256": source.sha256,
            },
        )
        if isinstance(record, Interview):
            record = _unique_id(record, source, bases, graph, functools.partial(_similar, builds, index))
            if record.tags_read:
                graph.tags[source.name] = TagReport(record.tags_read)
            if record.id not in groups:
                groups[record.id] = InterviewGroup(record)
                bases[record.id.split("~")[0]].append(groups[record.id])  # ids never hold "~" but for a suffix
            group = groups[record.id]
            group.add(source, index, record, codebook)
        elif isinstance(record, CodingSet):
            coding_sets.append((source, index, record))
        elif isinstance(record, Protocol):
            _add_protocol(graph, record)
        elif isinstance(record, ParticipantSheet):
            sheets.append(record)
    by_source = {g.base.source: iid for iid, g in groups.items()}
    for source, index, coding_set in coding_sets:
        target = _find_transcript(coding_set, groups, by_source)
        if target is None:
            graph.rejected.append(
                LoaderError(
                    coding_set.source, None, f"transcript {coding_set.transcript!r} is not among the loaded files"
                )
            )
            continue
        groups[target].coding_sets.append(coding_set)
        groups[target].inputs.append(("codings", source.name, source.sha256, index))

    interviewers = _interviewer_labels(groups, sheets)
    _add_workflow(graph, codebook)
    infos: dict[str, CodeInfo] = {}
    made: set[tuple[str, str, str]] = set()  # codes whose rows are made (_absorb)
    totals = FigureTotals()
    jobs = [(iid, group, interviewers.get(iid, ())) for iid, group in groups.items()]
    for (iid, group, _), (fragment, key) in zip(jobs, builds.fragments(jobs, codebook, autocode), strict=True):
        group.release_turns()  # built: the rest of the build reads the records' codings alone
        _absorb(graph, iid, fragment, infos, made)
        totals.add(fragment.figures)
        graph.fragment_keys[iid] = key
    _keep_spellings(graph, groups.values(), codebook, infos, study)
    _add_fixes(graph, codebook, infos)
    _add_participant_attributes(graph, sheets)
    add_aggregates(graph, totals)  # figures stored for the queries: each interview's, put together
    scope(graph, study)  # every row says its study; a named study's ids carry its id
    graph.figures = totals.scoped(study)  # what the corpus's figures need (graph/studies.py)
    for iid in graph.nodes.get("Interview", {}):
        graph.add_rel("IN_STUDY", ("Interview", iid), ("Study", study))
    graph.built_counts = graph.counts()
    return graph


def written_rows(fragment: Fragment, iid: str, study: str = DEFAULT_STUDY) -> GraphData:
    """The rows of interview ``iid``'s ``fragment`` as :func:`build_graph` writes them in ``study``
    when no later step changes them (each row says its study, the interview is in it, its codes
    have rows as :func:`_absorb` makes them), read without changing the fragment."""
    part, rows = fragment.graph, GraphData()
    for label, table in part.nodes.items():
        rows.nodes[label] = dict(table)
    for rel, table in part.rels.items():
        rows.rels[rel] = dict(table)
    for name, held in part.held.items():
        rows.held[name] = dict(held)
    for info in fragment.infos.values():
        if info.label != IGNORED:
            add_code(rows, info)
    scope(rows, study)
    for interview in rows.nodes.get("Interview", {}):
        rows.add_rel("IN_STUDY", ("Interview", interview), ("Study", study))
    return rows


def _absorb(
    graph: GraphData, iid: str, fragment: Fragment, infos: dict[str, CodeInfo], made: set[tuple[str, str, str]]
) -> None:
    """Add interview ``iid``'s rows to the graph: a row already there (a code, a tool, a speaker
    in several interviews) keeps its first version, as it would in one build; a coder is a
    consensus coder when any of its interviews says so; its excerpts and their relationships are
    held apart, as they came (:meth:`GraphData.hold`). The graph takes the fragment's rows over
    (later steps edit them): each fragment is absorbed once, as :class:`InterviewBuilds` makes them."""
    part = fragment.graph
    for label, held in part.held.items():
        for rows in held.values():
            graph.hold(label, iid, rows)
    for label, rows in part.nodes.items():
        if label in HELD_LABELS:
            graph.hold(label, iid, rows)
            continue
        table = graph.nodes[label]
        if label == "Coder":
            for key, row in rows.items():
                if key in table:
                    table[key]["consensus"] = table[key]["consensus"] or row["consensus"]
        add_missing(table, rows)
    for rel, rows in part.rels.items():
        if rel in HELD_RELS:
            graph.hold(rel, iid, rows)
        else:
            add_missing(graph.rels[rel], rows)
    graph.warnings.extend(part.warnings)
    graph.rejected.extend(part.rejected)
    for code, where in part.unknown_codes.items():
        graph.unknown_codes[code] |= where
    for code, count in part.ignored.items():
        graph.ignored[code] = graph.ignored.get(code, 0) + count
    for name, tags in part.tags.items():
        graph.tags.setdefault(name, TagReport()).unplaced.extend(tags.unplaced)
    for key, info in fragment.infos.items():
        infos.setdefault(key, info)
        code = (info.label, info.code, info.stage)  # what its row and stage depend on (the first row wins)
        if info.label != IGNORED and code not in made:  # as the interview's build made them
            made.add(code)
            add_code(graph, info)


def _keep_spellings(
    graph: GraphData,
    groups: Iterable[InterviewGroup],
    codebook: Codebook,
    infos: dict[str, CodeInfo],
    study: str,
) -> None:
    """Codes merge whatever their case (one id), but keep a spelling their coders used: the most
    used over the study's files (:func:`graph.code_names.kept_spelling`), whatever came first.
    Each merge of several spellings is a note."""
    uses: dict[str, Counter[str]] = defaultdict(Counter)  # code id -> spelling -> turns tagged with it
    for group in groups:
        for interview in [group.base, *(other for _, other in group.others)]:
            for coding in interview.codings:
                uses[code_id(coding.code)][coding.code] += len(coding.positions)
        for coding_set in group.coding_sets:
            for item in coding_set.codings:
                uses[code_id(item.code)][item.code] += 1
    rows = {cid: row for label in CODE_LABELS for cid, row in graph.nodes.get(label, {}).items()}
    for cid, spellings in sorted(uses.items()):
        if cid not in rows:  # a code of kind ignore
            continue
        kept = kept_spelling(spellings)
        row = rows[cid]
        if row["code"] != kept:  # the row and what fixes are linked by take the kept spelling
            info = codebook.classify(kept)
            row["code"], row["name"] = kept, info.name
            if cid in infos:
                infos[cid] = dataclasses.replace(infos[cid], code=kept, name=info.name, addresses=info.addresses)
        if len(spellings) > 1:
            ordered = sorted(spellings, key=lambda spelling: (spelling != kept, -spellings[spelling], spelling))
            how = "case" if len({s.casefold() for s in spellings}) == 1 else "case and punctuation"
            where = "" if study == DEFAULT_STUDY else f" in study {study}"
            graph.warnings.append(
                f"codes merged ignoring {how}{where}: {' = '.join(ordered)} (kept: {kept}, the spelling "
                f"on {spellings[kept]} of {sum(spellings.values())} tagged turns)"
            )


def _unique_id(
    record: Interview,
    source: SourceFile,
    bases: dict[str, list[InterviewGroup]],
    graph: GraphData,
    similar: Callable[[InterviewGroup, Interview, SourceFile], float],
) -> Interview:
    """The record, with the id of the loaded interview it is another coder's file of (both Delve
    exports of the same words), else an id of its own: an id collision is reported, never
    resolved by dropping or merging data. Records come in source-name order, so the ids do not
    depend on the order of loads. ``bases``: every interview so far, by the id before any ``~``
    suffix; ``similar``: the share of words of an interview's first file that the record shares."""
    taken = [group.base for group in bases.get(record.id, [])]
    for group, known in zip(bases.get(record.id, []), taken):
        if known.file_coder and record.file_coder and similar(group, record, source) >= SAME_TRANSCRIPT:
            return dataclasses.replace(record, id=known.id) if known.id != record.id else record
    if not taken:
        return record
    digest = hashlib.sha256(source.name.encode("utf-8")).hexdigest()[:6]
    new_id = f"{record.id}~{digest}"
    graph.warnings.append(
        f"{source.where}: interview id {record.id!r} is already taken by {taken[0].source!r}, whose "
        f"text differs; loaded as a separate interview with id {new_id!r}"
    )
    speakers = identify_speakers(record.turns, new_id, record.title)
    return dataclasses.replace(record, id=new_id, speakers=speakers, turns=with_roles(record.turns, speakers))


def _similar(
    builds: InterviewBuilds, index: int, group: InterviewGroup, record: Interview, source: SourceFile
) -> float:
    """:func:`graph.align.similarity` of the group's first file and ``record`` (the ``index``-th
    record of ``source``), remembered by ``builds``: the same two files give the same share."""
    key = (group.inputs[0][1:4], (source.name, source.sha256, index))
    return builds.similarity(
        key, lambda: similarity([t.text for t in group.base.turns], [t.text for t in record.turns])
    )


def _find_transcript(coding_set: CodingSet, interviews: Collection[str], by_source: dict[str, str]) -> str | None:
    """The id of the interview a codings file names: by file name, by id from the file name, or by id."""
    wanted = Path(coding_set.transcript)
    for key in (by_source.get(wanted.name), slugify(wanted.stem), slugify(coding_set.transcript)):
        if key in interviews:
            return key
    return None


def _add_fixes(graph: GraphData, codebook: Codebook, infos: dict[str, CodeInfo]) -> None:
    """Link every fix to the challenge it addresses, creating an implied challenge if needed."""
    challenges = {tolerant_key(row["code"]): row for row in graph.node_rows("Challenge")}
    for fix in graph.node_rows("Fix"):
        target = infos[fix["id"]].addresses
        if not target:
            continue
        challenge = challenges.get(tolerant_key(target))
        if challenge is None:
            info = codebook.classify(target)
            info = CodeInfo(target, "Challenge", info.name, info.category, info.stage, info.description, info.known)
            add_code(graph, info, implied=True)
            challenge = challenges[tolerant_key(target)] = graph.nodes["Challenge"][code_id(target)]
        if not codebook.codes.get(fix["code"].casefold(), {}).get("label"):
            name = challenge["name"]
            fix["name"] = f"Fix: {lower_first(name)}"
        graph.add_rel("ADDRESSES", ("Fix", fix["id"]), ("Challenge", challenge["id"]))


def _sheet_rows(sheets: list[ParticipantSheet]) -> dict[str, tuple[str, dict[str, str]]]:
    """Sheet rows by folded pseudonym -> (sheet name, row)."""
    return {row["pseudonym"].casefold(): (sheet.source, row) for sheet in sheets for row in sheet.rows}


def _interviewer_labels(
    groups: dict[str, InterviewGroup], sheets: list[ParticipantSheet]
) -> dict[str, tuple[str, ...]]:
    """Per interview, the speaker labels a participants sheet calls interviewers, whatever
    the label says."""
    rows = _sheet_rows(sheets)
    named = {p for p, (_, row) in rows.items() if row.get("role", "").casefold() == "interviewer"}
    out = {}
    for iid, group in groups.items() if named else ():
        speakers = group.base.speakers
        labels = tuple(s.label for s in speakers if s.label.casefold() in named or s.pseudonym.casefold() in named)
        if labels:
            out[iid] = labels
    return out


def _add_participant_attributes(graph: GraphData, sheets: list[ParticipantSheet]) -> None:
    rows = _sheet_rows(sheets)
    seen = set()
    for participant in graph.node_rows("Participant"):
        for key in (participant["pseudonym"].casefold(), participant["id"].casefold()):
            if key in rows:
                _, row = rows[key]
                seen.add(key)
                attributes = {k: v for k, v in sorted(row.items()) if k not in ("pseudonym", "role")}
                participant["attributes"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
                participant["role"] = row.get("role", participant["role"]) or participant["role"]
                break
    for key, (sheet, row) in rows.items():
        if key not in seen and row.get("role", "").casefold() != "interviewer":
            graph.warnings.append(f"{sheet}: no participant {row['pseudonym']!r} in the loaded interviews")


# --- workflow and protocol --------------------------------------------------------------------
def _add_workflow(graph: GraphData, codebook: Codebook) -> None:
    """The codebook's stages, how they follow each other, and their mappings onto the reference
    taxonomy (every reference stage is a node, mapped or not)."""
    for ref in load_taxonomy().stages:
        graph.add_node(
            "ReferenceStage",
            {
                "id": ref.id,
                "name": ref.name,
                "position": ref.position,
                "description": ref.description,
                "addedFor": ref.added_for,
            },
        )
    previous: dict[tuple[str, str], str] = {}
    for stage in codebook.stages:
        for ref, relation in stage.maps_to:
            graph.add_rel("MAPS_TO", ("Stage", stage.id), ("ReferenceStage", ref), relation=relation)
        graph.add_node(
            "Stage",
            {
                "id": stage.id,
                "name": stage.name,
                "position": stage.position,
                "track": stage.track,
                "parent": stage.parent,
                "aliases": [a.casefold() for a in stage.aliases],
            },
        )
        if stage.parent:
            graph.add_rel("PART_OF", ("Stage", stage.id), ("Stage", stage.parent))
        chain = (stage.track, stage.parent)
        if chain in previous:
            graph.add_rel("NEXT", ("Stage", previous[chain]), ("Stage", stage.id))
        previous[chain] = stage.id


def _add_protocol(graph: GraphData, protocol: Protocol) -> None:
    graph.add_node("Protocol", {"id": protocol.id, "title": protocol.title, "source": protocol.source})
    for q in protocol.questions:
        qid = f"{protocol.id}:{q.position}"
        graph.add_node(
            "ProtocolQuestion",
            {
                "id": qid,
                "section": q.section,
                "number": q.number,
                "text": q.text,
                "position": q.position,
                "depth": q.depth,
            },
        )
        graph.add_rel("ASKED_IN", ("ProtocolQuestion", qid), ("Protocol", protocol.id))

"""Build the typed graph from loaded records and a codebook.

The graph is a pure function of its sources and the codebook: ids derive from content, so
building the same files twice gives the same rows.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import hashlib
import itertools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from challenge_graph.graph.aggregates import add_aggregates
from challenge_graph.graph.align import align_turns, similarity
from challenge_graph.graph.autocode import MACHINE_CODERS, with_suggestions
from challenge_graph.graph.codebook import UNCATEGORISED, Codebook, CodeInfo, ToolEntry, tolerant_key
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.fragments import FragmentCache
from challenge_graph.graph.model import (
    PARTICIPANT,
    Coding,
    CodingSet,
    Interview,
    ParticipantSheet,
    Protocol,
    Record,
    SourceFile,
    Turn,
    slugify,
)
from challenge_graph.graph.speakers import identify_speakers, with_roles
from challenge_graph.graph.workers import map_in_processes

__all__ = ["GraphData", "TagReport", "build_graph", "excerpt_id", "code_id"]

logger = logging.getLogger(__name__)


@dataclass
class GraphData:
    """Rows to write: nodes by label, relationships by type (``src``/``dst`` ids), plus what
    the build noticed (warnings, rejected codings, unknown codes and where they occur)."""

    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    rels: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    warnings: list[str] = field(default_factory=list)
    rejected: list[LoaderError] = field(default_factory=list)
    unknown_codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tags: dict[str, TagReport] = field(default_factory=dict)  # source name -> its code tags' fate
    fragment_keys: dict[str, str] = field(default_factory=dict)  # interview id -> its fragment's key ("" if none)
    built_counts: dict[str, int] = field(default_factory=dict)  # rows per table as build_graph returned them

    def add_node(self, label: str, row: dict[str, Any]) -> None:
        self.nodes[label].setdefault(row["id"], row)

    def add_rel(self, rel: str, src: tuple[str, str], dst: tuple[str, str], **props: Any) -> None:
        key = (src, dst, *props.values())
        self.rels[rel].setdefault(key, {"src": src[1], "dst": dst[1], "srcLabel": src[0], "dstLabel": dst[0], **props})

    def node_rows(self, label: str) -> list[dict[str, Any]]:
        return list(self.nodes.get(label, {}).values())

    def rel_rows(self, rel: str) -> list[dict[str, Any]]:
        return list(self.rels.get(rel, {}).values())

    def counts(self) -> dict[str, int]:
        """Number of rows per label and relationship type."""
        return {k: len(v) for k, v in {**self.nodes, **self.rels}.items() if v}


@dataclass
class TagReport:
    """What became of one file's code tags: how many it held, and each one not placed, with
    the reason (``(code, line, reason)``)."""

    read: int = 0
    unplaced: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return self.read - len(self.unplaced)


_KIND = {Interview: "interview", CodingSet: "codings", Protocol: "protocol", ParticipantSheet: "participants"}


def excerpt_id(interview_id: str, position: int) -> str:
    """The id of a turn's excerpt: ``interview-35:12``."""
    return f"{interview_id}:{position}"


def code_id(code: str) -> str:
    """The id of a code's node: the code in lower case, words joined by hyphens."""
    return slugify(code)


def build_graph(
    records: Iterable[tuple[SourceFile, Record]],
    codebook: Codebook,
    autocode: bool = False,
    fragments: FragmentCache | None = None,
) -> GraphData:
    """Turn ``(source file, record)`` pairs into graph rows; with ``autocode``, add the
    codebook's suggestions for uncoded turns (coder ``auto``).

    Several records of the same interview (codings by several coders) merge into one
    interview: their codings are mapped onto the first record's turns by aligning the texts.
    With ``fragments``, an interview whose inputs are unchanged since a previous build is
    taken from there instead of being built again (the rows are the same either way).
    """
    graph = GraphData()
    groups: dict[str, _Group] = {}
    bases: dict[str, list[_Group]] = defaultdict(list)
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
            record = _unique_id(record, source, bases, graph, functools.partial(_similar, fragments, index))
            if record.tags_read:
                graph.tags[source.name] = TagReport(record.tags_read)
            if record.id not in groups:
                groups[record.id] = _Group(record)
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
    jobs = [(iid, group, interviewers.get(iid, ())) for iid, group in groups.items()]
    keys = [
        fragments.key(codebook.digest, autocode, labels, iid, group.inputs) if fragments else ""
        for iid, group, labels in jobs
    ]
    kept = [bool(fragments and fragments.has(key)) for key in keys]
    to_build = [(group, labels, key) for (_, group, labels), key, has in zip(jobs, keys, kept) if not has]
    shared = (codebook, autocode, fragments)
    # in the interviews' order, as they come; closed at once if anything fails (the processes end)
    with contextlib.closing(map_in_processes(_build_and_keep, shared, to_build)) as built:
        for (iid, group, labels), key, has in zip(jobs, keys, kept):
            # read one at a time (a fragment is released once absorbed); a damaged one is built again here
            fragment = fragments.get(key) if has else next(built)
            _absorb(graph, fragment or _build_and_keep(shared, (group, labels, key)), infos)
            graph.fragment_keys[iid] = key
    _add_fixes(graph, codebook, infos)
    _add_participant_attributes(graph, sheets)
    _count_evidence(graph)
    add_aggregates(graph)  # figures stored for the queries, from the finished rows (graph/aggregates.py)
    graph.built_counts = graph.counts()
    return graph


@dataclass
class _Group:
    """The records one interview is built from: its first file, other coders' files of the same
    words, and codings files naming it; ``inputs`` identifies them for the fragment key."""

    base: Interview
    others: list[tuple[str, Interview]] = field(default_factory=list)
    coding_sets: list[CodingSet] = field(default_factory=list)
    inputs: list[tuple[Any, ...]] = field(default_factory=list)
    consensus: set[str] = field(default_factory=set)  # coders whose codings here are a consensus file's

    def add(self, source: SourceFile, index: int, record: Interview, codebook: Codebook) -> None:
        if record is not self.base:
            self.others.append((source.name, record))
        self.inputs.append(("interview", source.name, source.sha256, index, record.id))
        self.consensus |= {c for c in record.coders if codebook.is_consensus(c, source.name)}


@dataclass
class _Fragment:
    """The rows one interview adds to the graph, and what its build noticed."""

    graph: GraphData
    infos: dict[str, CodeInfo]


def _build_and_keep(
    shared: tuple[Codebook, bool, FragmentCache | None], job: tuple[_Group, tuple[str, ...], str]
) -> _Fragment:
    """An interview's fragment, kept under its key (in a worker process, see :func:`map_in_processes`)."""
    (codebook, autocode, fragments), (group, interviewers, key) = shared, job
    fragment = _build_interview(group, codebook, autocode, interviewers)
    if fragments:
        fragments.put(key, fragment)
    return fragment


def _build_interview(group: _Group, codebook: Codebook, autocode: bool, interviewers: tuple[str, ...]) -> _Fragment:
    """Merge an interview's records and turn them into rows (see :func:`build_graph`)."""
    graph = GraphData()
    interview = group.base
    for name, other in group.others:
        interview = _merge(interview, other, graph, name)
    for coding_set in group.coding_sets:
        interview = _apply_coding_set(interview, coding_set, graph)
    if interviewers:
        speakers = identify_speakers(interview.turns, interview.id, interview.title, interviewers=list(interviewers))
        interview = dataclasses.replace(interview, speakers=speakers, turns=with_roles(interview.turns, speakers))
    if autocode:
        interview = with_suggestions(interview, codebook)
    infos: dict[str, CodeInfo] = {}
    _add_interview(graph, interview, codebook, infos, {(interview.id, c) for c in group.consensus})
    return _Fragment(graph, infos)


def _absorb(graph: GraphData, fragment: _Fragment, infos: dict[str, CodeInfo]) -> None:
    """Add an interview's rows to the graph: a row already there (a code, a tool, a speaker in
    several interviews) keeps its first version, as it would in one build; a coder is a
    consensus coder when any of its interviews says so."""
    part = fragment.graph
    for label, rows in part.nodes.items():
        table = graph.nodes[label]
        for key, row in rows.items():
            if key not in table:
                table[key] = dict(row)  # later steps edit global rows: never the fragment's
            elif label == "Coder":
                table[key]["consensus"] = table[key]["consensus"] or row["consensus"]
    for rel, rows in part.rels.items():
        table = graph.rels[rel]
        for key, row in rows.items():
            table.setdefault(key, row)
    graph.warnings.extend(part.warnings)
    graph.rejected.extend(part.rejected)
    for code, where in part.unknown_codes.items():
        graph.unknown_codes[code] |= where
    for name, tags in part.tags.items():
        graph.tags.setdefault(name, TagReport()).unplaced.extend(tags.unplaced)
    for key, info in fragment.infos.items():
        infos.setdefault(key, info)


# --- interviews -------------------------------------------------------------------------------
# files of one interview must share at least this share of their words to be merged as coders' files
SAME_TRANSCRIPT = 0.5


def _unique_id(
    record: Interview,
    source: SourceFile,
    bases: dict[str, list[_Group]],
    graph: GraphData,
    similar: Callable[[_Group, Interview, SourceFile], float],
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
    fragments: FragmentCache | None, index: int, group: _Group, record: Interview, source: SourceFile
) -> float:
    """:func:`graph.align.similarity` of the group's first file and ``record`` (the ``index``-th
    record of ``source``), remembered by the fragment cache: the same two files give the same share."""

    def compute() -> float:
        return similarity([t.text for t in group.base.turns], [t.text for t in record.turns])

    if fragments is None:
        return compute()
    key = (group.inputs[0][1:4], (source.name, source.sha256, index))
    return fragments.remember(key, compute)


def _merge(base: Interview | None, other: Interview, graph: GraphData, other_name: str) -> Interview:
    """Fold ``other`` (the same interview, another coder's file) into ``base``: its codings
    land on the base turns their text overlaps (see :mod:`graph.align`); a coding whose text
    is nowhere in the base file is reported, tag by tag."""
    if base is None:
        return other
    if not other.codings:
        return base
    mapping = align_turns(
        [t.text for t in base.turns],
        [t.text for t in other.turns],
        [t.speaker for t in base.turns],
        [t.speaker for t in other.turns],
    )
    codings = list(base.codings)
    report = graph.tags.setdefault(other_name, TagReport())
    for coding in other.codings:
        positions: list[int] = []
        for p in coding.positions:
            if mapping[p]:
                positions.extend(mapping[p])
            else:
                report.unplaced.append(
                    (
                        coding.code,
                        other.turns[p].line,
                        f"its paragraph is not in {base.source!r}, the interview's first file",
                    )
                )
        positions = sorted(set(positions))
        if positions:
            codings.extend(dataclasses.replace(coding, positions=run) for run in _runs(positions))
    return dataclasses.replace(base, codings=tuple(codings), coders=tuple(dict.fromkeys(base.coders + other.coders)))


def _runs(positions: list[int]) -> list[tuple[int, ...]]:
    runs: list[list[int]] = []
    for p in positions:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return [tuple(r) for r in runs]


def _find_transcript(coding_set: CodingSet, interviews: Collection[str], by_source: dict[str, str]) -> str | None:
    """The id of the interview a codings file names: by file name, by id from the file name, or by id."""
    wanted = Path(coding_set.transcript)
    for key in (by_source.get(wanted.name), slugify(wanted.stem), slugify(coding_set.transcript)):
        if key in interviews:
            return key
    return None


def _apply_coding_set(interview: Interview, coding_set: CodingSet, graph: GraphData) -> Interview:
    codings = list(interview.codings)
    find = _QuoteFinder(interview.turns)
    for item in coding_set.codings:
        hits = [t for t in find(_norm(item.quote)) if item.speaker is None or t.speaker == item.speaker]
        if len(hits) != 1:
            reason = (
                f"quote not found in {interview.source!r}: {item.quote[:60]!r}"
                if not hits
                else f"quote found in {len(hits)} turns of {interview.source!r} "
                f"(lines {', '.join(str(t.line) for t in hits[:5])}); quote more words or add speaker"
            )
            graph.rejected.append(LoaderError(coding_set.source, item.line, reason))
            continue
        codings.append(Coding(item.code, coding_set.coder, (hits[0].position,), item.line))
    return dataclasses.replace(
        interview,
        codings=tuple(codings),
        coders=tuple(dict.fromkeys(interview.coders + (coding_set.coder,))),
    )


class _QuoteFinder:
    """The turns whose normalised text contains a normalised quote, found by searching one
    string of every turn instead of each turn in turn."""

    def __init__(self, turns: tuple[Turn, ...]) -> None:
        self.turns = turns
        texts = [_norm(t.text).replace("\x00", " ") for t in turns]
        self.starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        self.joined = "\x00".join(texts)  # a normalised text never holds NUL: no quote spans two turns

    def __call__(self, quote: str) -> list[Turn]:
        if not quote:
            return list(self.turns)
        found: dict[int, Turn] = {}
        at = self.joined.find(quote)
        while at >= 0:
            index = bisect.bisect_right(self.starts, at) - 1
            found.setdefault(index, self.turns[index])
            at = self.joined.find(quote, at + 1)
        return list(found.values())


def _add_interview(
    graph: GraphData,
    interview: Interview,
    codebook: Codebook,
    infos: dict[str, CodeInfo],
    consensus: set[tuple[str, str]],
) -> None:
    iid = interview.id
    graph.add_node(
        "Interview",
        {
            "id": iid,
            "title": interview.title,
            "source": interview.source,
            "format": interview.format,
            "turns": len(interview.turns),
            "words": interview.words,
            "coded": bool(interview.codings),
        },
    )
    said_by = {}
    for speaker in interview.speakers:
        if speaker.role != PARTICIPANT:
            continue
        scoped = speaker.participant_id != slugify(speaker.label)
        graph.add_node(
            "Participant",
            {
                "id": speaker.participant_id,
                "pseudonym": speaker.pseudonym,
                "role": speaker.role,
                "interview": iid if scoped else "",
                "attributes": "",
            },
        )
        graph.add_rel("INTERVIEWED_IN", ("Participant", speaker.participant_id), ("Interview", iid))
        said_by[speaker.label] = speaker.participant_id
    tools = codebook.mentions_in([t.text for t in interview.turns])
    for turn, mentioned in zip(interview.turns, tools):
        _add_excerpt(graph, iid, turn, said_by.get(turn.speaker), mentioned)
    for coder in interview.coders:
        moderated = (iid, coder) in consensus
        row = graph.nodes["Coder"].setdefault(slugify(coder), {"id": slugify(coder), "name": coder, "consensus": False})
        row["consensus"] = row["consensus"] or moderated  # moderated at least one interview
        graph.add_rel("CODED", ("Coder", slugify(coder)), ("Interview", iid), consensus=moderated)
    for coding in interview.codings:
        info = infos.get(code_id(coding.code)) or codebook.classify(coding.code)
        if coding.category and info.category == UNCATEGORISED:  # the exporting tool's code tree
            info = dataclasses.replace(info, category=coding.category)
        infos.setdefault(code_id(coding.code), info)
        _add_code(graph, info)
        if not info.known:
            graph.unknown_codes[coding.code].add(coding.source or interview.source)
        for position in coding.positions:
            graph.add_rel(
                "CODED_AS",
                ("Excerpt", excerpt_id(iid, position)),
                (info.label, code_id(info.code)),
                coder=coding.coder,
            )


def _add_excerpt(graph: GraphData, iid: str, turn: Turn, participant: str | None, tools: list[ToolEntry]) -> None:
    eid = excerpt_id(iid, turn.position)
    graph.add_node(
        "Excerpt",
        {
            "id": eid,
            "text": turn.text,
            "speaker": turn.speaker,
            "role": turn.role,
            "interview": iid,
            "position": turn.position,
            "line": turn.line,
        },
    )
    graph.add_rel("FROM", ("Excerpt", eid), ("Interview", iid))
    if participant:
        graph.add_rel("SAID", ("Participant", participant), ("Excerpt", eid))
    for tool in tools:
        graph.add_node("Tool", {"id": tool.id, "name": tool.name, "kind": tool.kind})
        graph.add_rel("MENTIONS", ("Excerpt", eid), ("Tool", tool.id))


# --- codes ------------------------------------------------------------------------------------
def _add_code(graph: GraphData, info: CodeInfo, implied: bool = False) -> None:
    cid = code_id(info.code)
    graph.add_node(
        info.label,
        {
            "id": cid,
            "name": info.name,
            "code": info.code,
            "kind": info.label.lower(),
            "category": info.category,
            "description": info.description,
            "known": info.known,
            "implied": implied,
        },
    )
    if info.stage:
        graph.add_rel("AT_STAGE", (info.label, cid), ("Stage", info.stage))


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
            _add_code(graph, info, implied=True)
            challenge = challenges[tolerant_key(target)] = graph.nodes["Challenge"][code_id(target)]
        if not codebook.codes.get(fix["code"].casefold(), {}).get("label"):
            name = challenge["name"]
            fix["name"] = f"Fix: {name[:1].lower() + name[1:]}"
        graph.add_rel("ADDRESSES", ("Fix", fix["id"]), ("Challenge", challenge["id"]))


def _sheet_rows(sheets: list[ParticipantSheet]) -> dict[str, tuple[str, dict[str, str]]]:
    """Sheet rows by folded pseudonym -> (sheet name, row)."""
    return {row["pseudonym"].casefold(): (sheet.source, row) for sheet in sheets for row in sheet.rows}


def _interviewer_labels(groups: dict[str, _Group], sheets: list[ParticipantSheet]) -> dict[str, tuple[str, ...]]:
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


def _count_evidence(graph: GraphData) -> None:
    """Store on every code and stage how many participants, interviews and participant quotes
    stand behind it (human codings only): the same counts the queries would compute from SAID
    and CODED_AS, kept as properties so that ranking queries stay fast on large corpora."""
    speaker = {r["dst"]: r["src"] for r in graph.rel_rows("SAID")}
    excerpts = graph.nodes.get("Excerpt", {})
    behind: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rel in graph.rel_rows("CODED_AS"):
        if rel["src"] in speaker and rel["coder"] not in MACHINE_CODERS:  # suggestions are not evidence
            behind[(rel["dstLabel"], rel["dst"])].add(rel["src"])
    stage_of: dict[tuple[str, str], str] = {(r["srcLabel"], r["src"]): r["dst"] for r in graph.rel_rows("AT_STAGE")}
    at_stage: dict[str, set[str]] = defaultdict(set)
    for label in ("Challenge", "Fix", "Practice"):
        for row in graph.node_rows(label):
            quotes = behind.get((label, row["id"]), set())
            row["quotes"] = len(quotes)
            row["participants"] = len({speaker[e] for e in quotes})
            row["interviews"] = len({excerpts[e]["interview"] for e in quotes})
            if label == "Challenge" and (label, row["id"]) in stage_of:
                at_stage[stage_of[(label, row["id"])]] |= quotes
    for row in graph.node_rows("Stage"):
        quotes = at_stage.get(row["id"], set())
        row["quotes"] = len(quotes)
        row["participants"] = len({speaker[e] for e in quotes})


# --- workflow and protocol --------------------------------------------------------------------
def _add_workflow(graph: GraphData, codebook: Codebook) -> None:
    previous: dict[tuple[str, str], str] = {}
    for stage in codebook.stages:
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


_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()

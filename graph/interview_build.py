"""One interview's rows: its coders' files merged turn by turn, codings files applied, and its
excerpts, speakers, coders, codings and tool mentions turned into graph rows.

Each interview is built on its own (see :func:`build_interview`), so a load can build them in
worker processes and keep them between loads; :mod:`graph.build` puts them together.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import Any

from challenge_graph.graph.align import align_turns
from challenge_graph.graph.autocode import with_suggestions
from challenge_graph.graph.codebook import IGNORED, UNCATEGORISED, Codebook, CodeInfo, ToolEntry
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.figures import Figures, figures_of
from challenge_graph.graph.graph_data import GraphData, TagReport, code_id, excerpt_id
from challenge_graph.graph.kept_values import LazyRecords
from challenge_graph.graph.model import (
    CODE_LABELS,
    PAGED_FORMATS,
    PARTICIPANT,
    Coding,
    CodingSet,
    Interview,
    SourceFile,
    Turn,
    slugify,
)
from challenge_graph.graph.speakers import identify_speakers, with_roles

__all__ = ["InterviewGroup", "Fragment", "build_interview", "add_code", "SAME_TRANSCRIPT"]


@dataclass
class InterviewGroup:
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
        self.consensus |= set(record.consensus_coders) & set(record.coders)

    def release_turns(self) -> None:
        """Let go of the records' turns still packed as they were parsed (:meth:`LazyRecords.release
        <graph.kept_values.LazyRecords.release>`): once the interview is built, a load reads only
        their codings. Turns held as a tuple stay (a load in one process, small)."""
        for interview in [self.base, *(other for _, other in self.others)]:
            if isinstance(interview.turns, LazyRecords):
                interview.turns.release()


@dataclass
class Fragment:
    """The rows one interview adds to the graph, what its build noticed, and what it adds to
    the stored figures (:mod:`graph.figures`). Its codes are ``infos`` (by code id), not rows:
    every interview names the same few hundred codes, whose rows :func:`add_code` makes from them."""

    graph: GraphData
    infos: dict[str, CodeInfo]
    figures: Figures


def build_interview(
    group: InterviewGroup, codebook: Codebook, autocode: bool, interviewers: tuple[str, ...]
) -> Fragment:
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
    figures = figures_of(graph)
    # its codes' rows and stages follow from infos (add_code): the build adds them, not each fragment
    for label in CODE_LABELS:
        graph.nodes.pop(label, None)
    graph.rels.pop("AT_STAGE", None)
    return Fragment(graph, infos, figures)


# --- interviews -------------------------------------------------------------------------------
# files of one interview must share at least this share of their words to be merged as coders' files
SAME_TRANSCRIPT = 0.5


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


def _apply_coding_set(interview: Interview, coding_set: CodingSet, graph: GraphData) -> Interview:
    codings = list(interview.codings)
    find = _QuoteFinder(interview.turns)
    for item in coding_set.codings:
        hits = [t for t in find(normalise(item.quote)) if item.speaker is None or t.speaker == item.speaker]
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
        texts = [normalise(t.text).replace("\x00", " ") for t in turns]
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
        _add_excerpt(graph, iid, turn, said_by.get(turn.speaker), mentioned, interview.format in PAGED_FORMATS)
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
        if info.label == IGNORED:  # the codebook says this code is not part of the graph
            graph.ignored[coding.code] = graph.ignored.get(coding.code, 0) + 1
            continue
        add_code(graph, info)
        if not info.known:
            graph.unknown_codes[coding.code].add(coding.source or interview.source)
        for position in coding.positions:
            graph.add_rel(
                "CODED_AS",
                ("Excerpt", excerpt_id(iid, position)),
                (info.label, code_id(info.code)),
                coder=coding.coder,
            )


def _add_excerpt(
    graph: GraphData, iid: str, turn: Turn, participant: str | None, tools: list[ToolEntry], paged: bool
) -> None:
    """A turn's excerpt; a turn of a PDF (``paged``) is cited by its page, of a text file by its line."""
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
            "line": 0 if paged else turn.line,
            "page": turn.line if paged else 0,
        },
    )
    if participant:
        graph.add_rel("SAID", ("Participant", participant), ("Excerpt", eid))
    for tool in tools:
        graph.add_node("Tool", {"id": tool.id, "name": tool.name, "kind": tool.kind})
        graph.add_rel("MENTIONS", ("Excerpt", eid), ("Tool", tool.id))


# --- codes ------------------------------------------------------------------------------------
def add_code(graph: GraphData, info: CodeInfo, implied: bool = False) -> None:
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


def normalise(text: str) -> str:
    """``text`` case-folded, with each run of white space one space and none at the ends (a
    split on white space is the regex ``\\s+``'s set of characters, several times faster).

    >>> normalise("  Data\\u00a0was \\n MISSING ")
    'data was missing'
    """
    return " ".join(text.casefold().split())

"""Build a graph of several studies: each study built alone with its own codebook, its rows
scoped (:mod:`graph.study_scope`), then put together with one node per study and the
crosswalk's accepted rows as ``MATCHES`` relationships between codes of different studies.

Studies never pool: counts stored on codes, stages and participants come from one study's
build, so agreement, saturation and co-occurrence stay within a study.
"""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from challenge_graph.graph.aggregates import (
    add_coded_turns,
    add_corpus_counts,
    add_study_coverage,
    add_study_quotes,
)
from challenge_graph.graph.build import InterviewBuilds, build_graph
from challenge_graph.graph.code_names import tolerant_key
from challenge_graph.graph.codebook import Codebook
from challenge_graph.graph.figures import FigureTotals
from challenge_graph.graph.graph_data import GraphData, add_missing
from challenge_graph.graph.model import (
    CODE_LABELS,
    DEFAULT_STUDY,
    CodingSet,
    Crosswalk,
    Interview,
    Record,
    SourceFile,
    Study,
)

__all__ = ["DEFAULT_TITLE", "study_of", "with_consensus_folders", "build_corpus"]

DEFAULT_TITLE = "Files in no study folder"


def study_of(name: str, studies: Collection[str]) -> str:
    """The study a source file belongs to: the study whose id its name starts with, else the default.

    >>> study_of("jiang-2024/transcripts/a.txt", {"jiang-2024"}), study_of("delve/a.txt", {"jiang-2024"})
    ('jiang-2024', 'default')
    """
    head, sep, _ = name.partition("/")
    return head if sep and head in studies else DEFAULT_STUDY


def with_consensus_folders(codebook: Codebook, study: Study) -> Codebook:
    """``codebook`` with the study's consensus folders, when its ``study.yaml`` names them."""
    if study.consensus_folders is None:
        return codebook
    changed = copy.copy(codebook)
    changed.consensus_folders = study.consensus_folders
    changed.digest = hashlib.sha256(f"{codebook.digest}{study.consensus_folders!r}".encode()).hexdigest()
    return changed


def build_corpus(
    records: Iterable[tuple[SourceFile, Record | Study | Crosswalk]],
    codebook: Codebook,
    study_codebooks: Mapping[str, tuple[SourceFile, Codebook]] | None = None,
    bundled: Codebook | None = None,
    autocode: bool = False,
    builds: InterviewBuilds | None = None,
) -> GraphData:
    """The graph of every study among ``records`` (``Study`` and ``Crosswalk`` records included).

    The default study (files in no study folder) uses ``codebook``; a study uses the codebook its
    ``study.yaml`` names (``study_codebooks``, by study id), else ``bundled`` (``codebook`` when
    not given). A study with no files still gets its node.
    """
    study_codebooks = study_codebooks or {}
    studies: dict[str, Study] = {}
    crosswalks: list[tuple[SourceFile, Crosswalk]] = []
    own: list[tuple[SourceFile, str, str]] = []  # (source, kind, format) of the studies' own files
    for source, record in records:
        if isinstance(record, Study):
            studies[record.id] = record
            own.append((source, "study", "study-yaml"))
        elif isinstance(record, Crosswalk):
            crosswalks.append((source, record))
            own.append((source, "crosswalk", "crosswalk-yaml"))
    members: dict[str, list[tuple[SourceFile, Record]]] = defaultdict(list)
    transcripts = _transcript_studies(records, studies)
    for source, record in records:
        if isinstance(record, Study | Crosswalk):
            continue
        study = study_of(source.name, studies)
        if isinstance(record, CodingSet) and study == DEFAULT_STUDY:  # codings kept apart from a study's files
            study = transcripts.get(Path(record.transcript).name, study)
        members[study].append((source, record))  # type: ignore[arg-type]
    graph = GraphData()
    used: dict[str, Codebook] = {}
    totals = FigureTotals()  # the studies' figures, for the corpus's (graph/figures.py)
    study_quotes: dict[str, int] = {}
    for study_id in sorted(set(members) | set(studies)):
        if study_id == DEFAULT_STUDY:
            book = codebook
        else:
            file, book = study_codebooks.get(study_id, (None, bundled or codebook))
            book = with_consensus_folders(book, studies[study_id])
            if file is not None:
                own.append((file, "study-codebook", "codebook-yaml"))
        used[study_id] = book
        part = build_graph(members.get(study_id, []), book, autocode, builds, study_id)
        totals.add(part.figures)
        study_quotes[study_id] = part.figures.study_quotes
        _merge(graph, part)
    for study_id in used:
        study = studies.get(study_id) or Study(DEFAULT_STUDY, DEFAULT_TITLE)
        graph.add_node(
            "Study",
            {
                "id": study.id,
                "title": study.title,
                "citation": study.citation,
                "doi": study.doi,
                "year": study.year,
                "codebook": used[study_id].name,
            },
        )
    for source, kind, fmt in own:
        graph.add_node(
            "Source", {"id": source.name, "name": source.name, "kind": kind, "format": fmt, "sha256": source.sha256}
        )
    for source, crosswalk in crosswalks:
        _add_crosswalk(graph, source, crosswalk, set(used))
    add_corpus_counts(graph, totals.coded_excerpts)
    add_study_quotes(graph, study_quotes)
    add_study_coverage(graph, totals)
    add_coded_turns(graph, totals)
    return graph


def _transcript_studies(records: Iterable[tuple[SourceFile, object]], studies: Collection[str]) -> dict[str, str]:
    """File name -> the study of the one transcript with that name in a study folder (names in
    several studies are left out: a codings file outside them cannot say which it means)."""
    found: dict[str, set[str]] = defaultdict(set)
    for source, record in records:
        study = study_of(source.name, studies)
        if isinstance(record, Interview) and study != DEFAULT_STUDY:
            found[Path(source.name).name].add(study)
    return {name: next(iter(s)) for name, s in found.items() if len(s) == 1}


def _merge(graph: GraphData, part: GraphData) -> None:
    """Add one study's rows: shared rows (tools, reference stages) keep their first version."""
    for label, held in part.held.items():
        for owner, rows in held.items():
            graph.hold(label, owner, rows)
    for label, rows in part.nodes.items():
        add_missing(graph.nodes[label], rows)
    for rel, rows in part.rels.items():
        add_missing(graph.rels[rel], rows)
    graph.warnings.extend(part.warnings)
    graph.rejected.extend(part.rejected)
    for code, where in part.unknown_codes.items():
        graph.unknown_codes[code] |= where
    for code, count in part.ignored.items():
        graph.ignored[code] = graph.ignored.get(code, 0) + count
    graph.tags.update(part.tags)
    graph.fragment_keys.update(part.fragment_keys)
    for table, count in part.built_counts.items():
        graph.built_counts[table] = graph.built_counts.get(table, 0) + count


def _add_crosswalk(graph: GraphData, source: SourceFile, crosswalk: Crosswalk, studies: set[str]) -> None:
    """The crosswalk's accepted rows as ``MATCHES``; rows naming no loaded code are noted, and
    proposed or rejected rows only counted in a note."""
    codes = {
        (row["study"], tolerant_key(row["code"])): (label, row["id"])
        for label in CODE_LABELS
        for row in graph.node_rows(label)
    }
    waiting = defaultdict(int)
    for row in crosswalk.rows:
        if row.status != "accepted":
            waiting[row.status] += 1
            continue
        where = f"{source.where}:{row.line}"
        ends = []
        for study, code in ((row.from_study, row.from_code), (row.to_study, row.to_code)):
            found = codes.get((study, tolerant_key(code)))
            if study not in studies:
                graph.warnings.append(f"{where}: crosswalk row left out: no study {study!r} is loaded")
            elif found is None:
                graph.warnings.append(f"{where}: crosswalk row left out: study {study!r} has no code {code!r}")
            ends.append(found)
        if None in ends:
            continue
        (a_label, a), (b_label, b) = ends
        if a_label != b_label:
            graph.warnings.append(
                f"{where}: crosswalk row left out: it relates a {a_label.lower()} to a {b_label.lower()}"
            )
            continue
        graph.add_rel("MATCHES", (a_label, a), (b_label, b), relation=row.relation, note=row.note)
    for status, count in sorted(waiting.items()):
        graph.warnings.append(f"{source.where}: {count} {status} crosswalk row(s) not counted")

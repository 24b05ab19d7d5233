"""Load files into a store: read, parse, build the whole graph, swap it in.

The graph is rebuilt from every source loaded so far (kept by the store) plus the new files,
with one codebook, so a codebook edit reaches the whole graph and loads are idempotent. Files
already parsed and interviews already built are taken from caches beside the store (keyed by
their contents, the codebook and the code's version), so a load parses and builds only what it
changes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from challenge_graph.graph.build import written_rows
from challenge_graph.graph.code_names import likely_duplicates
from challenge_graph.graph.codebook import IGNORED, Codebook, default_codebook_path
from challenge_graph.graph.errors import ChallengeGraphError, LoaderError, StoreError
from challenge_graph.graph.graph_data import GraphData, code_id
from challenge_graph.graph.interview_build import Fragment
from challenge_graph.graph.kept_values import DamagedKeptFile
from challenge_graph.graph.model import CODE_LABELS, Interview, Protocol, Record, SourceFile
from challenge_graph.graph.progress import Step
from challenge_graph.graph.studies import build_corpus
from challenge_graph.loaders import parse_source, read_sources
from challenge_graph.pipeline.codebook_files import parse_codebook_source
from challenge_graph.pipeline.collector import collector_paused
from challenge_graph.pipeline.fragments import FragmentCache, KeptBuilds
from challenge_graph.pipeline.kept_store import KeptStore
from challenge_graph.pipeline.parse_cache import ParseCache, loader_version
from challenge_graph.pipeline.study_checks import unmapped_stages, unmatched_codes
from challenge_graph.pipeline.study_files import StudyFiles, bundled_codebook, split_study_files
from challenge_graph.pipeline.workers import (
    in_worker_process,
    map_in_processes,
    release_shared_workers,
    shared_workers,
)
from challenge_graph.semantic import load as semantic_load
from challenge_graph.store.base import GraphStore, Progress

__all__ = ["Report", "check", "check_sources", "ingest", "ingest_sources", "read_codebook"]

logger = logging.getLogger(__name__)


@dataclass
class Report:
    """What a load or a check found, file by file."""

    loaded: list[str] = field(default_factory=list)
    rejected: list[LoaderError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_codes: dict[str, list[str]] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)  # codes of kind ignore -> codings left out
    files: list[str] = field(default_factory=list)  # one line per file read: what it held
    implied: list[str] = field(default_factory=list)  # fixes whose challenge was never coded
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # likely the same code: (code, other, why)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every file loaded, 2 when some were rejected (DESIGN.md's contract)."""
        return 2 if self.rejected else 0


BUNDLED = "bundled:"  # the stored name of the bundled codebook, which follows the installed version


def read_codebook(path: Path | str | None, store: GraphStore | None = None) -> tuple[SourceFile, Codebook]:
    """The codebook to use: ``path`` if given, else the store's last one, else the bundled one. A
    store built with the bundled codebook gets the installed version's (an upgrade reaches it)."""
    stored = store.codebook() if path is None and store is not None else None
    if stored is not None and not stored.name.startswith(BUNDLED):
        source = stored
    else:
        file = Path(path) if path else default_codebook_path()
        name = file.name if path else BUNDLED + file.name
        try:
            source = SourceFile(name, file.read_bytes(), str(file))
        except OSError as e:
            raise LoaderError(file, None, f"cannot read codebook: {e.strerror}") from e
    return source, parse_codebook_source(source.data, source.where)


def check(paths: Iterable[Path | str], codebook: Codebook) -> tuple[Report, GraphData]:
    """Parse and build the files under ``paths`` without writing anything."""
    sources, errors, skipped = read_sources(_existing(paths))
    report, graph = check_sources(_with_consensus_folder(sources, codebook), codebook)
    report.rejected[:0] = errors
    report.skipped = skipped
    return report, graph


def check_sources(sources: list[SourceFile], codebook: Codebook) -> tuple[Report, GraphData]:
    """Parse and build ``sources`` without writing anything (what a load would do)."""
    with collector_paused(), shared_workers():
        return _check_sources(sources, codebook)


def _check_sources(sources: list[SourceFile], codebook: Codebook) -> tuple[Report, GraphData]:
    report = Report()
    report.notes.extend(codebook.notes)  # what reading the codebook noticed
    studies, sources = split_study_files(sources)
    report.rejected.extend(studies.errors)
    records = _parse(sources, report, studies, codebook)
    report.files[:0] = studies.describe()
    report.loaded = list(dict.fromkeys([*(s.name for s in studies.files), *(s.name for s, _ in records)]))
    graph = _build(records, studies, codebook, report)
    for study in sorted({row["study"] for label in CODE_LABELS for row in graph.node_rows(label)}):
        codes = [
            (row["code"], row["name"], label)
            for label in CODE_LABELS
            for row in graph.node_rows(label)
            if row["study"] == study
        ]
        report.duplicates.extend(likely_duplicates(codes))
    report.notes.extend(unmapped_stages(graph))
    report.notes.extend(unmatched_codes(graph))
    return report, graph


def ingest(
    store: GraphStore,
    paths: Iterable[Path | str],
    codebook_path: Path | str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    autocode: bool = False,
    semantic: bool = False,
    suggest: bool = False,
) -> Report:
    """Add the files under ``paths`` to the store's graph (or replace it with ``replace``;
    with ``autocode``, add the codebook's suggestions for uncoded turns as coder ``auto``).

    Files that cannot be parsed are listed in the report and left out; the others load. When
    no new file parses, the store is not touched.
    """
    codebook_file, codebook = read_codebook(codebook_path, store)  # --replace starts over with the sources only
    new, errors, skipped = read_sources(_existing(paths))
    report = ingest_sources(
        store,
        _with_consensus_folder(new, codebook),
        codebook_file,
        codebook,
        replace=replace,
        codebook_changed=codebook_path is not None,
        progress=progress,
        autocode=autocode,
        semantic=semantic,
        suggest=suggest,
    )
    report.rejected[:0] = errors
    report.skipped = skipped
    return report


def ingest_sources(
    store: GraphStore,
    new: list[SourceFile],
    codebook_file: SourceFile,
    codebook: Codebook,
    replace: bool = False,
    codebook_changed: bool = False,
    progress: Progress | None = None,
    autocode: bool = False,
    semantic: bool = False,
    suggest: bool = False,
) -> Report:
    """Add ``new`` source files to the store's graph; see :func:`ingest`."""
    # no other load may change the sources between reading and writing; its steps share processes
    with store.writing(), collector_paused(), shared_workers():
        return _ingest_locked(
            store, new, codebook_file, codebook, replace, codebook_changed, progress, autocode, semantic, suggest
        )


def _ingest_locked(store, new, *options) -> Report:
    """:func:`_load_and_write` with the store's kept values; when a part of them read late (an
    interview's text, kept apart) turns out damaged, nothing was written: the kept file is
    removed and the load runs again from the sources, once."""
    kept_file = store.kept_file()
    try:
        with contextlib.closing(KeptStore(kept_file)) if kept_file else contextlib.nullcontext() as values:
            return _load_and_write(store, new, values, *options)
    except DamagedKeptFile as e:
        if kept_file is None:
            raise
        logger.warning("%s: a kept entry is damaged (%s): built again from the sources", kept_file, e)
        KeptStore(kept_file).discard()
    with contextlib.closing(KeptStore(kept_file)) as values, _kept_damage_named(kept_file):
        return _load_and_write(store, new, values, *options)


def _load_and_write(
    store, new, values, codebook_file, codebook, replace, codebook_changed, progress, autocode, semantic, suggest
) -> Report:
    """:func:`_ingest_locked` with the store's kept values open (``values``; None: keep nothing)."""
    report = Report()
    report.notes.extend(codebook.notes)  # what reading the codebook noticed
    kept = {} if replace else {s.name: s for s in store.sources()}
    cache = ParseCache(values) if values else None
    new_study_files, new = split_study_files(new)
    new_names = {s.name for s in new_study_files.files}
    studies, old_sources = split_study_files(
        [s for s in kept.values() if s.name not in new_names] + new_study_files.files
    )
    report.rejected.extend(studies.errors)
    new_records = _parse(new, report, studies, codebook, progress, cache)
    if not new_records and not new_study_files.files and not (replace or codebook_changed):
        return report
    store.stage_sources([*new_study_files.files, *{s.name: s for s, _ in new_records}.values()])  # written meanwhile
    given = {x.name for x, _ in new_records} | {(x.sha256, Path(x.name).name) for x, _ in new_records}
    # a file given again replaces its stored copy: the same name, or the same contents and file name
    # reached by another path (load corpus/, then corpus/a.txt); a copy under a new name is another file
    old = [s for s in old_sources if s.name not in given and (s.sha256, Path(s.name).name) not in given]
    stored = Report()  # only its errors are said: the files were described when they were loaded
    records = _parse(old, stored, studies, codebook, cache=cache, describe=False) + new_records
    for error in stored.rejected:  # say so, and keep the file: a later version may read it again
        report.rejected.append(LoaderError(error.path, error.line, f"stored copy no longer loads: {error.reason}"))
    report.loaded = list(dict.fromkeys([*(s.name for s in studies.files), *(s.name for s, _ in records)]))
    if progress:
        progress(Step(f"building the graph from {len(records)} files", "building"))
    fragments = FragmentCache(values, salt=loader_version()) if values else None
    first = None if studies.studies else functools.partial(_write_first, store)  # the default study's rows alone
    graph = _build(records, studies, codebook, report, autocode, KeptBuilds(fragments, first))
    release_shared_workers()  # no step needs them past here: their memory leaves before the write
    loaded = [source for source, _ in records]
    del records, new_records  # the graph holds what is written: the parsed turns leave before the write
    parsed = {s.name for s in loaded}
    unreadable = [s for s in old if s.name not in parsed]
    for source in unreadable:  # listed with the graph's sources, so the store keeps its copy
        graph.add_node(
            "Source",
            {"id": source.name, "name": source.name, "kind": "unreadable", "format": "", "sha256": source.sha256},
        )
    vectors = semantic_load.prepare(store, graph, semantic, suggest, progress)  # the optional extra's step
    store.replace_graph(graph, [*studies.files, *loaded, *unreadable], codebook_file, progress)
    semantic_load.finish(store, vectors)
    if cache:  # entries of files no longer loaded leave the disk with them
        cache.keep_only(cache.key(s, _known(studies, codebook, s)) for s in loaded)
    if fragments:
        fragments.keep_only(fragments.used)
    report.written = True
    return report


@contextlib.contextmanager
def _kept_damage_named(kept_file: Path | None) -> Iterator[None]:
    """A kept interview's excerpts and turns are decoded when a step reads them, after their
    entry's checksum held: rows that then do not decode, in a load that started from a new kept
    file, are a forged entry, named as such (the load fails and the graph stays as it was), never
    a traceback."""
    try:
        yield
    except DamagedKeptFile as e:
        raise StoreError(
            f"{kept_file}: a kept entry does not decode ({e}); delete the file "
            "(what it keeps is rebuilt from the sources) and load again"
        ) from e


def _with_consensus_folder(sources: list[SourceFile], codebook: Codebook) -> list[SourceFile]:
    """Sources named with the consensus folder they were given in (``load moderation/x.pdf``
    names the file ``moderation/x.pdf``), so that they stay consensus files on later loads."""
    folders = {f.casefold() for f in codebook.consensus_folders}
    out = []
    for source in sources:
        parent = Path(source.where).parent.name
        if parent.casefold() in folders and len(Path(source.name).parts) == 1:
            source = source.renamed(f"{parent}/{source.name}")
        out.append(source)
    return out


def _existing(paths: Iterable[Path | str]) -> list[Path]:
    out = []
    for path in map(Path, paths):
        if not path.exists():
            raise ChallengeGraphError(f"{path}: no such file or folder")
        out.append(path)
    return out


def _known(studies: StudyFiles, codebook: Codebook, source: SourceFile) -> frozenset[str]:
    """The codes the codebook of ``source``'s study knows (text exports read them as tags)."""
    return frozenset(studies.codebook_for(source.name, codebook).codes)


def _parse(
    sources: list[SourceFile],
    report: Report,
    studies: StudyFiles,
    codebook: Codebook,
    progress: Progress | None = None,
    cache: ParseCache | None = None,
    describe: bool = True,
) -> list[tuple[SourceFile, Record]]:
    """Each of ``sources``' records (from ``cache`` where kept, the rest parsed over worker
    processes); with ``describe``, a line per file on ``report`` (what it held)."""
    records = []
    known = [_known(studies, codebook, source) for source in sources]
    keys = [cache.key(source, codes) if cache else "" for source, codes in zip(sources, known)]
    cached = cache.get_many(keys) if cache else [None] * len(keys)
    missing = [(s, k, codes) for s, k, codes, parsed in zip(sources, keys, known, cached) if parsed is None]
    # in the order of the files, as they come; closed at once if anything fails (work not begun is dropped)
    with contextlib.closing(map_in_processes(_parse_one, cache, missing)) as fresh:
        for number, (source, key, parsed) in enumerate(zip(sources, keys, cached), start=1):
            if parsed is None:
                parsed = next(fresh)
                if isinstance(parsed, bytes) and cache:
                    parsed = cache.sent(key, parsed)
            if progress:
                progress(Step(f"read {source.name}", "reading", number, len(sources)))
            if isinstance(parsed, LoaderError):
                report.rejected.append(parsed)
                continue
            if describe:
                report.files.append(_describe(source, parsed, studies.codebook_for(source.name, codebook)))
            for record in parsed:
                records.append((source, record))
                if isinstance(record, Interview):
                    where = source.where if len(parsed) == 1 else f"{source.where} ({record.title})"
                    report.notes.extend(f"{where}: {m}" for m in record.messages)
                elif isinstance(record, Protocol):
                    report.notes.append(
                        f"{source.where}: interview protocol ({len(record.questions)} questions "
                        f"in {len(record.sections)} sections), loaded as a protocol, not an interview"
                    )
    return records


def _parse_one(
    cache: ParseCache | None, job: tuple[SourceFile, str, frozenset[str]]
) -> list[Record] | bytes | LoaderError:
    """One file's records, kept in the cache under its key (in a worker process, see
    :func:`map_in_processes`); a file that cannot be read gives its error. A worker returns the
    kept bytes instead of the records (:meth:`pipeline.parse_cache.ParseCache.sent`): they are made anyway, and cross
    to the loading process without pickling the records field by field."""
    source, key, known = job
    try:
        parsed = parse_source(source, known)
    except LoaderError as e:
        return e
    if cache:
        kept = cache.put(key, parsed)
        if in_worker_process():
            return kept
    return parsed


def _write_first(store: GraphStore, built: dict[str, tuple[str, Fragment]]) -> None:
    """Hand the interviews a load built to the store before the build ends (:meth:`GraphStore.stage_interviews`)."""
    store.stage_interviews({iid: (key, written_rows(fragment, iid)) for iid, (key, fragment) in built.items()})


def _build(
    records: list[tuple[SourceFile, Record]],
    studies: StudyFiles,
    codebook: Codebook,
    report: Report,
    autocode: bool = False,
    builds: KeptBuilds | None = None,
) -> GraphData:
    records = sorted(records, key=lambda pair: pair[0].name)  # the graph never depends on the order of loads
    graph = build_corpus(
        [*records, *studies.records()],
        codebook,
        studies.codebooks,
        bundled_codebook(),
        autocode=autocode,
        builds=builds or KeptBuilds(None),
    )
    report.rejected.extend(graph.rejected)
    report.notes.extend(graph.warnings)
    _report_tags(records, graph, report)
    report.unknown_codes = {c: sorted(s) for c, s in sorted(graph.unknown_codes.items())}
    report.ignored = dict(sorted(graph.ignored.items()))
    report.implied = sorted(r["code"] for r in graph.node_rows("Challenge") if r["implied"])
    report.counts = graph.counts()
    return graph


def _report_tags(records: list[tuple[SourceFile, Record]], graph: GraphData, report: Report) -> None:
    """Per file, tags read and placed on the check report's lines; every tag not placed, and
    the corpus total, as notes."""
    where = {s.name: s.where for s, _ in records}
    for index, line in enumerate(report.files):
        name = line.split(" (", 1)[0]
        if name in graph.tags:
            tags = graph.tags[name]
            report.files[index] = f"{line}; {tags.read} code tags read, {tags.placed} placed"
    for name, tags in graph.tags.items():
        for code, line, reason in tags.unplaced:
            at = f"{where.get(name, name)}:{line}" if line else where.get(name, name)
            report.notes.append(f"{at}: code tag {code!r} not placed: {reason}")
    if graph.tags:
        read = sum(t.read for t in graph.tags.values())
        placed = sum(t.placed for t in graph.tags.values())
        report.notes.append(
            f"code tags: {read} read in {len(graph.tags)} file(s), {placed} placed"
            + ("" if read == placed else f", {read - placed} not placed (listed above)")
        )


def _describe(source: SourceFile, records: list[Record], codebook: Codebook) -> str:
    """``name (format): interviews, turns, codings, coders`` for the check report. A coding is
    what the graph stores (a ``CODED_AS`` row): one per turn per code per coder, so a tag over
    three turns is three, codes that differ only in case or punctuation are one, and codes of
    kind ignore are left out."""
    interviews = [r for r in records if isinstance(r, Interview)]
    if not interviews:
        kinds = {type(r).__name__ for r in records}
        what = {"Protocol": "interview protocol", "CodingSet": "codings file", "ParticipantSheet": "participants sheet"}
        return f"{source.name} ({', '.join(what.get(k, k) for k in sorted(kinds))})"
    coders = sorted({c for i in interviews for c in i.coders})
    codings = {
        (index, position, code_id(coding.code), coding.coder)
        for index, interview in enumerate(interviews)
        for coding in interview.codings
        if codebook.classify(coding.code).label != IGNORED
        for position in coding.positions
    }
    return (
        f"{source.name} ({interviews[0].format}): {len(interviews)} interview(s), "
        f"{sum(len(i.turns) for i in interviews)} turns, {len(codings)} codings"
        + (" (one per code per turn)" if codings else "")
        + (f" by {', '.join(coders)}" if coders else ", uncoded")
    )

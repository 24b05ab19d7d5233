"""The studies of a load: which sources are study files (``study.yaml``, a study's codebook, a
crosswalk), the records they give, and the codebook each study's files are read and built with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from challenge_graph.graph.codebook import Codebook, default_codebook_path, parse_codebook
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import DEFAULT_STUDY, Crosswalk, SourceFile, Study
from challenge_graph.graph.studies import study_of, with_consensus_folders
from challenge_graph.loaders.study_files import STATUSES, STUDY_FILE, is_crosswalk, parse_crosswalk, parse_study
from challenge_graph.pipeline.codebook_files import parse_codebook_source

__all__ = ["StudyFiles", "split_study_files"]


@dataclass
class StudyFiles:
    """The study files of a corpus, read: studies by id, their codebooks, crosswalks, and the
    files that did not load."""

    files: list[SourceFile] = field(default_factory=list)  # every study file, kept with the graph
    studies: dict[str, tuple[SourceFile, Study]] = field(default_factory=dict)
    codebooks: dict[str, tuple[SourceFile, Codebook]] = field(default_factory=dict)
    crosswalks: list[tuple[SourceFile, Crosswalk]] = field(default_factory=list)
    errors: list[LoaderError] = field(default_factory=list)

    def describe(self) -> list[str]:
        """One line per study file for the check report."""
        lines = []
        for study_id, (source, study) in sorted(self.studies.items()):
            book = study.codebook or "the bundled codebook"
            lines.append(f"{source.name} (study {study_id!r}: {study.title}; codebook {book})")
        for source, crosswalk in self.crosswalks:
            statuses = [row.status for row in crosswalk.rows]
            counts = ", ".join(f"{statuses.count(s)} {s}" for s in STATUSES if s in statuses)
            lines.append(f"{source.name} (crosswalk: {counts or 'no rows'})")
        return lines

    def records(self) -> list[tuple[SourceFile, Study | Crosswalk]]:
        return [*self.studies.values(), *self.crosswalks]

    def codebook_for(self, name: str, default: Codebook) -> Codebook:
        """The codebook the source ``name`` is read with: its study's, else ``default`` (the
        bundled one for a study whose ``study.yaml`` names none)."""
        study = study_of(name, self.studies)
        if study == DEFAULT_STUDY:
            return default
        book = self.codebooks[study][1] if study in self.codebooks else bundled_codebook()
        return with_consensus_folders(book, self.studies[study][1])


_BUNDLED: list[Codebook] = []


def bundled_codebook() -> Codebook:
    """The bundled codebook, read once."""
    if not _BUNDLED:
        path = default_codebook_path()
        _BUNDLED.append(parse_codebook(path.read_text(encoding="utf-8"), source=path))
    return _BUNDLED[0]


def _is_study_file(name: str) -> bool:
    parts = Path(name).parts
    return len(parts) == 2 and parts[1] == STUDY_FILE


def split_study_files(sources: Iterable[SourceFile]) -> tuple[StudyFiles, list[SourceFile]]:
    """Read the study files among ``sources``; the other sources are returned in order. A
    ``study.yaml`` or crosswalk that does not load is an error of the report; a study's codebook
    that does not load stops the load (:class:`graph.errors.CodebookError`), as the default
    codebook's does."""
    sources = list(sources)
    found = StudyFiles()
    for source in sources:
        if _is_study_file(source.name):
            try:
                study = parse_study(source.data, source.where)
            except LoaderError as e:
                found.errors.append(e)
                continue
            found.studies[study.id] = (source, study)
    wanted = {study.codebook: sid for sid, (_, study) in found.studies.items() if study.codebook}
    rest = []
    for source in sources:
        if _is_study_file(source.name):
            found.files.append(source)
        elif source.name in wanted:
            found.files.append(source)
            # like the default codebook, a study's codebook that does not load stops the load
            found.codebooks[wanted[source.name]] = (source, parse_codebook_source(source.data, source.where))
        elif is_crosswalk(source.name):
            found.files.append(source)
            try:
                found.crosswalks.append((source, parse_crosswalk(source.data, source.where)))
            except LoaderError as e:
                found.errors.append(e)
        else:
            rest.append(source)
    return found, rest

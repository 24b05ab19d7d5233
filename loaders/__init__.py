"""Loaders: read each input format into records (Interview, CodingSet, Protocol).

One registry maps file suffixes to parsers of bytes; built-in formats register like any other.
``.txt`` files are told apart by content: Delve export, interview protocol or plain transcript.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from challenge_graph.graph.errors import LoaderError, UnsupportedFormatError
from challenge_graph.graph.model import Record, SourceFile
from challenge_graph.loaders import (
    codings_file,
    delve_pdf,
    delve_text,
    plain_text,
    protocol,
    refi_qda,
    refi_qda_folder,
    study_files,
    tables,
)
from challenge_graph.loaders.file_source import FileSource
from challenge_graph.loaders.text import check_text_size, decode, split_lines

__all__ = ["LOADERS", "SourceFile", "LoadResult", "parse_source", "discover", "read_sources", "load_paths"]

logger = logging.getLogger(__name__)

# (contents, name for messages, codes the codebook knows) -> records
Parser = Callable[[bytes, str, Collection[str]], "Record | list[Record]"]


def _parse_txt(data: bytes, name: str, known_codes: Collection[str] = ()) -> Record:
    lines = split_lines(decode(data, name))
    if delve_text.looks_like_delve(lines):
        return delve_text.parse(lines, source=name, known_codes=known_codes)
    if protocol.looks_like_protocol(lines) and not plain_text.looks_like_transcript(lines):
        return protocol.parse(lines, source=name)
    return plain_text.parse(lines, source=name, title=Path(name).stem)


def _parse_codings(data: bytes, name: str, known_codes: Collection[str] = ()) -> Record:
    return codings_file.parse("\n".join(split_lines(decode(data, name))), source=name)


# suffix -> parser; the longest matching suffix wins (".codings.yaml" before ".yaml")
LOADERS: dict[str, Parser] = {
    ".txt": _parse_txt,
    ".pdf": lambda data, name, known=(): delve_pdf.parse_pdf(data, source=name),
    ".qdpx": lambda data, name, known=(): refi_qda.parse_qdpx(data, source=name),
    # an unpacked project (MAXQDA): read_sources packs the .qde with the texts of its sources/ folder
    ".qde": lambda data, name, known=(): refi_qda.parse_qde(data, source=name),
    ".csv": lambda data, name, known=(): tables.parse_table(data, name, xlsx=False),
    ".xlsx": lambda data, name, known=(): tables.parse_table(data, name, xlsx=True),
    ".codings.yaml": _parse_codings,
    ".codings.yml": _parse_codings,
}
# suffixes whose files are read as text (refused past CHALLENGE_GRAPH_MAX_TEXT_MB, see loaders.text)
TEXT_SUFFIXES = (".txt", ".csv", ".codings.yaml", ".codings.yml")


@dataclass
class LoadResult:
    """What a load read: records by source, rejected files with reasons, files skipped."""

    records: list[tuple[SourceFile, Record]] = field(default_factory=list)
    rejected: list[LoaderError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parser_for(name: str) -> Parser | None:
    """The parser registered for the longest suffix of ``name``, if any."""
    lower = name.lower()
    matches = [s for s in LOADERS if lower.endswith(s)]
    return LOADERS[max(matches, key=len)] if matches else None


def parse_source(source: SourceFile, known_codes: Collection[str] = ()) -> list[Record]:
    """Parse one source file with the loader registered for its suffix (a project file such as
    ``.qdpx`` holds several interviews, so the result is a list); ``known_codes`` are the
    codebook's codes, which text exports read as tags whatever their shape.

    Raises
    ------
    LoaderError
        If no loader reads the file or the file cannot be parsed.
    """
    parser = parser_for(source.name)
    if parser is None:
        raise UnsupportedFormatError(
            source.where,
            None,
            f"no loader for {Path(source.name).suffix or 'files without a suffix'!r} "
            f"(supported: {', '.join(sorted(LOADERS))})",
        )
    parsed = parser(source.data, source.where, known_codes)
    return parsed if isinstance(parsed, list) else [parsed]


def discover(paths: Iterable[Path | str]) -> tuple[list[tuple[Path, str]], list[str], list[LoaderError]]:
    """Expand files and folders into ``(path, name)`` pairs, list what folders held that no
    loader reads, and the files that cannot load. Names are relative to the folder given, or
    ``<study-id>/<path>`` for a file in a study folder (:mod:`loaders.study_files`), so the same
    corpus loads the same; a study's ``study.yaml`` and codebook come with any of its files."""
    found: list[tuple[Path, str]] = []
    skipped: list[str] = []
    errors: list[LoaderError] = []
    studies = study_files.StudyNames()

    def add(path: Path, name: str) -> None:
        named = studies.name(path, name)
        if isinstance(named, LoaderError):
            errors.append(named)
        elif not studies.is_study_file(named):
            found.append((path, named))

    for given in map(Path, paths):
        if given.is_dir():
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                if any(f.lower().endswith(".qde") for f in files):  # a project's texts load with its .qde
                    dirs[:] = [d for d in dirs if d.lower() != "sources"]
                for file in sorted(files):
                    path = Path(root) / file
                    if file.startswith(".") or file == "__init__.py":  # hidden, or a data package's marker
                        continue
                    if file == study_files.STUDY_FILE or study_files.is_crosswalk(file):
                        add(path, path.relative_to(given).as_posix())
                    elif parser_for(file) is None:
                        skipped.append(str(path))
                    else:
                        add(path, path.relative_to(given).as_posix())
        else:
            add(given, given.name)
    own, missing = studies.own_files()
    taken = {name for _, name in found}
    found.extend((path, name) for path, name in own if name not in taken)
    skipped = [s for s in skipped if not any(Path(s).resolve() == p.resolve() for p, _ in own)]
    return found, skipped, [*studies.errors.values(), *missing, *errors]


def read_sources(paths: Iterable[Path | str]) -> tuple[list[SourceFile], list[LoaderError], list[str]]:
    """Read every file under ``paths``; unreadable files are returned as errors, not raised."""
    files, skipped, errors = discover(paths)
    sources = []
    for path, name in files:
        try:
            _check_size(path, name)  # before the file is read into memory
            if name.lower().endswith(".qde"):  # with the texts of the sources/ folder beside it
                sources.append(SourceFile(name, refi_qda_folder.read_project(path, refi_qda.LIMITS), str(path)))
            else:  # read again where needed: a load never holds every file's bytes
                sources.append(FileSource(name, path, str(path)))
        except OSError as e:
            errors.append(LoaderError(path, None, f"cannot read file: {e.strerror}"))
        except LoaderError as e:
            errors.append(e)
    return sources, errors, skipped


def _check_size(path: Path, name: str) -> None:
    """Refuse a file past its format's size limit from its size on disk (the parsers check the
    bytes they are given again: uploads never pass here)."""
    size, lower = path.stat().st_size, name.lower()
    if lower.endswith(TEXT_SUFFIXES):
        check_text_size(size, path)
    elif lower.endswith(".pdf") and size > delve_pdf.LIMITS["max_bytes"]:
        raise LoaderError(path, None, f"PDF of {size} bytes refused (limit {delve_pdf.LIMITS['max_bytes']})")


def load_paths(paths: Iterable[Path | str], progress: Callable[[str], None] | None = None) -> LoadResult:
    """Read and parse every file under ``paths``; a broken file is listed, the others load (the
    studies' own files, which hold no records, are left out: the load pipeline reads them)."""
    sources, errors, skipped = read_sources(paths)
    result = LoadResult(rejected=errors, skipped=skipped)
    own = study_files.own_file_names(sources)
    for source in sources:
        if source.name in own:  # a study.yaml, a study's codebook or a crosswalk: no transcript
            continue
        if progress:
            progress(source.name)
        try:
            result.records.extend((source, record) for record in parse_source(source))
        except LoaderError as e:
            result.rejected.append(e)
    return result

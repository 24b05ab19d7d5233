"""Study folders and crosswalks: ``study.yaml`` says which study the files under it belong to,
``crosswalk.yaml`` relates codes of different studies.

A ``study.yaml`` holds ``id`` (a slug), ``title`` and optionally ``citation``, ``doi``,
``year``, ``codebook`` (a path relative to its folder) and ``consensus_folders``. A crosswalk
holds ``rows``, each with ``from`` and ``to`` (``study-id/Code``), a SKOS ``relation``, a
``note`` and a ``status`` (``accepted`` when absent, ``proposed`` or ``rejected``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import DEFAULT_STUDY, Crosswalk, CrosswalkRow, SourceFile, Study, slugify
from challenge_graph.graph.taxonomy import RELATIONS

__all__ = [
    "STUDY_FILE",
    "STATUSES",
    "is_crosswalk",
    "study_codebook_name",
    "parse_study",
    "parse_crosswalk",
    "study_folder",
]

STUDY_FILE = "study.yaml"
STATUSES = ("accepted", "proposed", "rejected")
_STUDY_KEYS = {"id", "title", "citation", "doi", "year", "codebook", "consensus_folders"}
_ROW_KEYS = {"from", "to", "relation", "note", "status"}


def is_crosswalk(name: str) -> bool:
    """True for a crosswalk file: ``crosswalk.yaml`` or ``*.crosswalk.yaml`` (or ``.yml``)."""
    base = Path(name).name.lower()
    return base in ("crosswalk.yaml", "crosswalk.yml") or base.endswith((".crosswalk.yaml", ".crosswalk.yml"))


def study_codebook_name(study_id: str, codebook: str) -> str:
    """The name a study's codebook is kept under: ``<study>/<path>`` for a file inside the study
    folder, ``<study>/<file name>`` for one outside it.

    >>> study_codebook_name("jiang-2024", "./codebook.yaml"), study_codebook_name("a", "../books/x.yaml")
    ('jiang-2024/codebook.yaml', 'a/x.yaml')
    """
    path = posixpath.normpath(codebook.replace("\\", "/"))
    inside = not path.startswith("../") and path != ".." and not posixpath.isabs(path)
    return f"{study_id}/{path if inside else posixpath.basename(path)}"


def _mapping(data: bytes, where: str) -> tuple[yaml.Node, dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise LoaderError(where, None, "not UTF-8 text") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise LoaderError(
            where, mark.line + 1 if mark else None, f"not valid YAML: {getattr(e, 'problem', e)}"
        ) from None
    if not isinstance(node, yaml.MappingNode):
        raise LoaderError(where, 1, "expected a mapping of keys to values")
    return node, yaml.safe_load(text)


def _line_of(node: yaml.MappingNode, key: str) -> int:
    for k, v in node.value:
        if k.value == key:
            return v.start_mark.line + 1
    return node.start_mark.line + 1


def parse_study(data: bytes, where: str) -> Study:
    """A ``study.yaml``; ``where`` names the file in messages.

    >>> parse_study(b"id: jiang-2024\\ntitle: Re-engineering DL models\\nyear: 2024\\n", "study.yaml").year
    2024
    """
    node, raw = _mapping(data, where)
    unknown = sorted(set(raw) - _STUDY_KEYS)
    if unknown:
        raise LoaderError(
            where, _line_of(node, unknown[0]), f"unknown key {unknown[0]!r} (known: {sorted(_STUDY_KEYS)})"
        )
    study_id = str(raw.get("id") or "")
    if not study_id or slugify(study_id) != study_id:
        raise LoaderError(where, _line_of(node, "id"), f"id must be a slug such as 'jiang-2024', not {study_id!r}")
    if study_id == DEFAULT_STUDY:
        raise LoaderError(where, _line_of(node, "id"), f"id {DEFAULT_STUDY!r} is kept for files in no study folder")
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        raise LoaderError(where, _line_of(node, "title"), "title is required (a line of text)")
    for key in ("citation", "doi", "codebook"):
        if key in raw and not isinstance(raw[key], str):
            raise LoaderError(where, _line_of(node, key), f"{key} must be text")
    year = raw.get("year", 0)
    if not isinstance(year, int) or isinstance(year, bool):
        raise LoaderError(where, _line_of(node, "year"), f"year must be a number such as 2024, not {year!r}")
    folders = raw.get("consensus_folders")
    if folders is not None and not (isinstance(folders, list) and all(isinstance(f, str) for f in folders)):
        raise LoaderError(
            where, _line_of(node, "consensus_folders"), "consensus_folders must be a list of folder names"
        )
    codebook = raw.get("codebook", "")
    return Study(
        id=study_id,
        title=raw["title"].strip(),
        source=f"{study_id}/{STUDY_FILE}",
        citation=raw.get("citation", "").strip(),
        doi=raw.get("doi", "").strip(),
        year=year,
        codebook=study_codebook_name(study_id, codebook) if codebook else "",
        consensus_folders=tuple(folders) if folders is not None else None,
    )


def _code_ref(value: Any, where: str, line: int, key: str) -> tuple[str, str]:
    study, _, code = str(value or "").partition("/")
    if not study or not code.strip():
        raise LoaderError(where, line, f"{key} must name a study and a code as 'study-id/Code', not {value!r}")
    return study.strip(), code.strip()


def parse_crosswalk(data: bytes, where: str) -> Crosswalk:
    """A crosswalk file: its rows, each checked (a broken row names its line)."""
    node, raw = _mapping(data, where)
    rows_node = next((v for k, v in node.value if k.value == "rows"), None)
    if not isinstance(rows_node, yaml.SequenceNode):
        raise LoaderError(where, 1, "expected 'rows:', a list of rows with from, to and relation")
    rows = []
    for item, entry in zip(rows_node.value, raw["rows"], strict=True):
        line = item.start_mark.line + 1
        if not isinstance(entry, dict):
            raise LoaderError(where, line, "a row is a mapping with from, to and relation")
        unknown = sorted(set(entry) - _ROW_KEYS)
        if unknown:
            raise LoaderError(where, line, f"unknown key {unknown[0]!r} (known: {sorted(_ROW_KEYS)})")
        from_study, from_code = _code_ref(entry.get("from"), where, line, "from")
        to_study, to_code = _code_ref(entry.get("to"), where, line, "to")
        relation = entry.get("relation", "")
        if relation not in RELATIONS:
            raise LoaderError(where, line, f"relation must be one of {', '.join(RELATIONS)}, not {relation!r}")
        status = entry.get("status", "accepted")
        if status not in STATUSES:
            raise LoaderError(where, line, f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if from_study == to_study:
            raise LoaderError(where, line, "a crosswalk row relates codes of two different studies")
        rows.append(
            CrosswalkRow(from_study, from_code, to_study, to_code, relation, str(entry.get("note") or ""), status, line)
        )
    return Crosswalk(where, tuple(rows))


def _study_in(folder: Path) -> tuple[Path, Study] | LoaderError | None:
    file = folder / STUDY_FILE
    if not file.is_file():
        return None
    try:
        return folder, parse_study(file.read_bytes(), str(file))
    except OSError as e:
        return LoaderError(file, None, f"cannot read file: {e.strerror}")
    except LoaderError as e:
        return e


def study_folder(path: Path, seen: dict[Path, Any] | None = None) -> tuple[Path, Study] | LoaderError | None:
    """The nearest folder at or above ``path``'s folder that holds a ``study.yaml``, with its
    study (or the error that file gives); None when there is none. ``seen`` remembers folders
    already looked at during one read of many files."""
    seen = {} if seen is None else seen
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if candidate not in seen:
            seen[candidate] = _study_in(candidate)
        if seen[candidate] is not None:
            return seen[candidate]
    return None


class StudyNames:
    """Names files by the study folder they stand in (``<study-id>/<path in the folder>``, the
    same however the file was reached), and remembers which studies' own files (``study.yaml``
    and codebook) a read must add."""

    def __init__(self) -> None:
        self._seen: dict[Path, Any] = {}
        self.studies: dict[str, tuple[Path, Study]] = {}
        self.errors: dict[str, LoaderError] = {}

    def name(self, path: Path, name: str) -> str | LoaderError:
        """The name of ``path`` (``name`` when it stands in no study folder), or why it cannot load."""
        found = study_folder(path, self._seen)
        if found is None:
            return name
        if isinstance(found, LoaderError):
            self.errors.setdefault(str(found.path), found)
            return LoaderError(path, None, f"not loaded: the study file {found.path} does not load")
        folder, study = found
        known = self.studies.setdefault(study.id, (folder, study))
        if known[0] != folder:
            return LoaderError(
                folder / STUDY_FILE, None, f"study id {study.id!r} is already used by {known[0] / STUDY_FILE}"
            )
        return f"{study.id}/{path.resolve().relative_to(folder).as_posix()}"

    def own_files(self) -> tuple[list[tuple[Path, str]], list[LoaderError]]:
        """Each study's ``study.yaml`` and codebook, as ``(path, name)``, and codebooks not found."""
        files, errors = [], []
        for study_id, (folder, study) in sorted(self.studies.items()):
            files.append((folder / STUDY_FILE, f"{study_id}/{STUDY_FILE}"))
            if study.codebook:
                raw = yaml.safe_load((folder / STUDY_FILE).read_text(encoding="utf-8-sig"))["codebook"]
                path = folder / raw
                if path.is_file():
                    files.append((path, study.codebook))
                else:
                    errors.append(LoaderError(folder / STUDY_FILE, None, f"codebook {raw!r} not found"))
        return files, errors

    def is_study_file(self, name: str) -> bool:
        """True for a study's own file (its ``study.yaml`` or codebook), which is no transcript."""
        study_id, _, rest = name.partition("/")
        return study_id in self.studies and (rest == STUDY_FILE or name == self.studies[study_id][1].codebook)


def own_file_names(sources: Iterable[SourceFile]) -> set[str]:
    """The names among ``sources`` of study files: ``<study>/study.yaml``, the codebooks they name,
    and crosswalks."""
    sources = list(sources)
    names = set()
    for source in sources:
        parts = source.name.split("/")
        if len(parts) == 2 and parts[1] == STUDY_FILE:
            names.add(source.name)
            try:
                names.add(parse_study(source.data, source.where).codebook)
            except LoaderError:
                pass
        elif is_crosswalk(source.name):
            names.add(source.name)
    return names

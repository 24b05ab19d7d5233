"""REFI-QDA projects exported unpacked (MAXQDA): a ``.qde`` file beside its ``sources/`` folder.

The folder form is read as the archive form is: the ``.qde`` and the text files it names
(``plainTextPath="internal://…"``) are packed, in memory and in a stable order, into the ZIP a
``.qdpx`` would be, and that ZIP is the source file's contents. So one code path parses both
forms, the stored copy of the project holds its texts, and a text that changes changes the
project's digest (the next load parses it again). Only files inside the sources folder are
read: a path that climbs out of it (``internal://../../etc/passwd``) is refused by the parser,
a file that links outside the project's folder here; the total read is bounded before any file
is read (``LIMITS["max_unpacked_bytes"]``).
"""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from challenge_graph.graph.errors import LoaderError

__all__ = ["sources_folder", "read_project", "internal_path"]

_STAMP = (1980, 1, 1, 0, 0, 0)  # every member's date: the same folder packs to the same bytes
_TEXT_SOURCE = "{urn:QDA-XML:project:1.0}TextSource"


def sources_folder(qde: Path) -> Path | None:
    """The ``sources/`` (or ``Sources/``, any case) folder beside ``qde``, if there is one."""
    try:
        folders = [p for p in qde.parent.iterdir() if p.name.lower() == "sources" and p.is_dir()]
    except OSError:
        return None
    return min(folders, default=None)  # "Sources" before "sources" when both are there


def internal_path(path: str) -> str | None:
    """The path inside the project's sources that ``plainTextPath`` names (lower case, ``/``
    separated), or None if it climbs out of them (``..``) or names a drive."""
    wanted = path.removeprefix("internal://").replace("\\", "/").lstrip("/")
    parts = wanted.split("/")
    if ".." in parts or re.match(r"^[a-z]:", wanted, re.IGNORECASE):
        return None
    return wanted.lower()


def read_project(qde: Path, limits: dict[str, int]) -> bytes:
    """The bytes to parse for ``qde``: the file itself when no sources folder stands beside it,
    else a ZIP of the ``.qde`` and the files of the sources folder it names.

    Raises
    ------
    LoaderError
        If the project or its texts are past the limits, unreadable, or a text links outside
        the project's folder.
    """
    project = _read(qde, qde, limits["max_text_bytes"])
    folder = sources_folder(qde)
    if folder is None:
        return project
    root = qde.parent.resolve()
    if not folder.resolve().is_relative_to(root):  # never walked: it may lead anywhere (/)
        raise LoaderError(qde, None, f"{folder.name}/ links outside the project's folder: refused")
    files = _files(folder)
    chosen: dict[str, Path] = {}
    for path in _text_paths(project):
        wanted = internal_path(path)
        match = files.get(wanted) if wanted is not None else None
        if match is None and wanted is not None:  # as in an archive: a name at any depth of sources/
            match = next((p for name, p in files.items() if name.endswith("/" + wanted)), None)
        if match is not None:
            chosen.setdefault(match.relative_to(folder).as_posix(), match)
    total = len(project)
    for name, path in chosen.items():
        if not path.resolve().is_relative_to(root):
            raise LoaderError(qde, None, f"{folder.name}/{name} links outside the project's folder: refused")
        total += path.stat().st_size
    if total > limits["max_unpacked_bytes"]:
        raise LoaderError(
            qde,
            None,
            f"the project and its texts come to {total} bytes: refused (limit {limits['max_unpacked_bytes']})",
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo(qde.name, _STAMP), project)
        for name, path in sorted(chosen.items()):
            archive.writestr(zipfile.ZipInfo(f"sources/{name}", _STAMP), _read(qde, path, limits["max_unpacked_bytes"]))
    return out.getvalue()


def _read(qde: Path, path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoaderError(qde, None, f"{path.name} holds {size} bytes: refused (limit {limit})")
        return path.read_bytes()
    except OSError as e:
        raise LoaderError(qde, None, f"cannot read {path.name}: {e.strerror}") from e


def _files(folder: Path) -> dict[str, Path]:
    """The files under ``folder`` by their path in it, in lower case (a project names its texts
    with any case); links to folders are not followed."""
    found: dict[str, Path] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for file in sorted(files):
            path = Path(root) / file
            found.setdefault(path.relative_to(folder).as_posix().lower(), path)
    return found


def _text_paths(project: bytes) -> list[str]:
    """The ``plainTextPath`` of every text source, read as the parser reads the XML (a project
    that does not parse gives none: the parser then says why)."""
    paths = []
    try:
        for _, element in ET.iterparse(io.BytesIO(project)):
            if element.tag == _TEXT_SOURCE:
                if element.get("plainTextPath"):
                    paths.append(element.get("plainTextPath"))
                element.clear()
    except ET.ParseError:
        return []
    return paths

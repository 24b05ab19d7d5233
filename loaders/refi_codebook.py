"""The codebook of a REFI-QDA project (``.qdpx``), for a project that is one.

Some projects carry codes and no codings (a codebook shared before coding starts, an ATLAS.ti
project with codes and no sources): loaded as a project they hold nothing to count, so they
load as the codebook instead. The archive is read in memory with the project loader's limits.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders.archives import check_members

__all__ = ["project_xml", "holds_codes_only", "code_count", "has_text_sources"]

LIMITS = {"max_unpacked_bytes": 500 * 1024 * 1024, "max_ratio": 200, "max_xml_bytes": 50 * 1024 * 1024}
_CODING = re.compile(rb"<(?:\w+:)?Coding[\s>/]")
_CODE = re.compile(rb"<(?:\w+:)?Code[\s>/]")
_TEXT_SOURCE = re.compile(rb"<(?:\w+:)?TextSource[\s>/]")


def project_xml(data: bytes, source: Path | str = "<qdpx>") -> bytes:
    """The bytes of the project XML (the ``.qde`` member) of a ``.qdpx`` archive.

    Raises
    ------
    LoaderError
        For a corrupt ZIP, an archive past the limits, or one with no ``.qde`` member.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as e:
        raise LoaderError(source, None, f"not a REFI-QDA project: corrupt ZIP ({e})") from e
    check_members(source, infos, LIMITS)
    member = next((i for i in infos if i.filename.casefold().endswith(".qde")), None)
    if member is None:
        raise LoaderError(source, None, "not a REFI-QDA project: no .qde file in the archive")
    if member.file_size > LIMITS["max_xml_bytes"]:
        raise LoaderError(source, None, f"{member.filename} is larger than {LIMITS['max_xml_bytes']} bytes: refused")
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as e:
        raise LoaderError(source, None, f"corrupt archive member {member.filename!r} ({e})") from e


def holds_codes_only(xml: bytes) -> bool:
    """True for project XML that holds codes and no coding at all (a codebook to load as one).

    >>> holds_codes_only(b'<Project xmlns="urn:QDA-XML:project:1.0"><CodeBook><Codes>'
    ...                  b'<Code guid="x" name="a" isCodable="true"/></Codes></CodeBook></Project>')
    True
    """
    return bool(_CODE.search(xml)) and not _CODING.search(xml)


def code_count(xml: bytes) -> int:
    """How many ``Code`` elements a project or codebook XML holds (folders included)."""
    return len(_CODE.findall(xml))


def has_text_sources(xml: bytes) -> bool:
    """True when a project XML holds a text source (an interview to load, coded or not)."""
    return bool(_TEXT_SOURCE.search(xml))

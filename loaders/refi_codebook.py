"""The codebook of a REFI-QDA project (``.qdpx``), for a project that is one.

Some projects carry codes and no codings (a codebook shared before coding starts, an ATLAS.ti
project with codes and no sources): loaded as a project they hold nothing to count, so they
load as the codebook instead. The archive is read in memory with the project loader's limits.
"""

from __future__ import annotations

import re
from pathlib import Path

from challenge_graph.loaders.refi_qda import open_project

__all__ = ["project_xml", "holds_codes_only", "code_count", "has_text_sources"]

_CODING = re.compile(rb"<(?:\w+:)?Coding[\s>/]")
_CODE = re.compile(rb"<(?:\w+:)?Code[\s>/]")
_TEXT_SOURCE = re.compile(rb"<(?:\w+:)?TextSource[\s>/]")


def project_xml(data: bytes, source: Path | str = "<qdpx>") -> bytes:
    """The bytes of the project XML (the ``.qde`` member) of a ``.qdpx`` archive, read as the
    project loader reads it (:func:`~challenge_graph.loaders.refi_qda.open_project`, its limits)."""
    return open_project(data, source)[-1]


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

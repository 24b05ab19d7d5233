"""A codebook file of any kind the load accepts: YAML, a REFI-QDA codebook (``.qdc``), or a
REFI-QDA project (``.qdpx``, or its unpacked ``.qde``) whose code tree is read as a codebook."""

from __future__ import annotations

from pathlib import Path

from challenge_graph.graph.codebook import Codebook
from challenge_graph.graph.codebook_qdc import parse_codebook_file, parse_qdc
from challenge_graph.loaders.refi_codebook import project_xml

__all__ = ["parse_codebook_source", "PROJECT_SUFFIX"]

PROJECT_SUFFIX, UNPACKED_SUFFIX = ".qdpx", ".qde"


def parse_codebook_source(data: bytes, where: Path | str) -> Codebook:
    """The codebook in ``data``, read by the file's suffix (``where``)."""
    if str(where).casefold().endswith(PROJECT_SUFFIX):
        return parse_qdc(project_xml(data, where), where)
    if str(where).casefold().endswith(UNPACKED_SUFFIX):  # project XML as it stands on disk
        return parse_qdc(data, where)
    return parse_codebook_file(data, where)

"""Read a text file as lines: UTF-8 (with or without BOM) or UTF-16 with BOM, any line ending.

Text files (transcripts, Delve text exports, protocols, codings YAML and CSV) are refused past
``MAX_TEXT_MB`` megabytes, or the number of megabytes ``CHALLENGE_GRAPH_MAX_TEXT_MB`` sets: a
file's lines, turns and graph take about 17 bytes of memory per byte of text (a 50 MB file peaks
at 850 MB in ``challenge-graph check``), and the largest real text file is 40 KB.
"""

from __future__ import annotations

import codecs
import math
import os
from pathlib import Path

from challenge_graph.graph.errors import LoaderError

__all__ = ["read_lines", "decode", "split_lines", "check_text_size", "max_text_bytes", "MAX_TEXT_MB", "MAX_TEXT_ENV"]

MAX_TEXT_MB = 20
MAX_TEXT_ENV = "CHALLENGE_GRAPH_MAX_TEXT_MB"
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def read_lines(path: Path) -> list[str]:
    """Read ``path`` and return its lines without line endings.

    Raises
    ------
    LoaderError
        If the file is empty, binary, or not UTF-8/UTF-16 text.
    """
    try:
        check_text_size(Path(path).stat().st_size, path)  # before the file is read into memory
        data = Path(path).read_bytes()
    except OSError as e:
        raise LoaderError(path, None, f"cannot read file: {e.strerror}") from e
    return split_lines(decode(data, path))


def max_text_bytes(path: Path | str = "<bytes>") -> int:
    """The size a text file may have: ``MAX_TEXT_MB``, or ``CHALLENGE_GRAPH_MAX_TEXT_MB`` if set.

    Raises
    ------
    LoaderError
        For ``path``, if the variable is set to anything but a positive number.
    """
    value = os.environ.get(MAX_TEXT_ENV, "").strip()
    if not value:
        return MAX_TEXT_MB * 1024 * 1024
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes > 0):
        raise LoaderError(path, None, f"{MAX_TEXT_ENV}={value[:40]!r} is not a positive number of megabytes")
    return int(megabytes * 1024 * 1024)


def check_text_size(size: int, path: Path | str = "<bytes>") -> None:
    """Refuse a text file of ``size`` bytes past :func:`max_text_bytes`, saying how to raise it.

    Raises
    ------
    LoaderError
        Naming the file, its size, the limit and ``CHALLENGE_GRAPH_MAX_TEXT_MB``.
    """
    limit = max_text_bytes(path)
    if size > limit:
        raise LoaderError(
            path,
            None,
            f"text file of {size / 2**20:.1f} MB refused (limit {limit / 2**20:g} MB; a transcript is well "
            f"under 1 MB): split it, or set {MAX_TEXT_ENV} to a larger number of megabytes",
        )


def decode(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode file contents, refusing empty, binary, oversized (:func:`check_text_size`) and
    non-UTF text with a clear reason.

    >>> decode(codecs.BOM_UTF8 + "Interviewer: hi".encode())
    'Interviewer: hi'
    """
    check_text_size(len(data), path)
    if not data.strip():
        raise LoaderError(path, None, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise LoaderError(path, None, f"invalid UTF-16 text ({e.reason})") from e
    sample = data[:8192]
    if b"\x00" in sample or len(sample) - len(sample.translate(None, _CONTROL)) > len(sample) // 20:
        raise LoaderError(path, None, "binary file, not a text transcript")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise LoaderError(
            path,
            line,
            f"not UTF-8 text (byte 0x{data[e.start]:02X}); re-save the file as UTF-8",
        ) from e


def split_lines(text: str) -> list[str]:
    r"""Split on CRLF, CR or LF only, so line numbers match what editors show.

    >>> split_lines("a\r\nb\rc\nd")
    ['a', 'b', 'c', 'd']
    """
    if "\r" in text:  # str.split is several times quicker than the pattern's split
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines

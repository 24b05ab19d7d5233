"""Read a text file as lines: UTF-8 (with or without BOM) or UTF-16 with BOM, any line ending."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from challenge_graph.graph.errors import LoaderError

__all__ = ["read_lines", "decode", "split_lines"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def read_lines(path: Path) -> list[str]:
    """Read ``path`` and return its lines without line endings.

    Raises
    ------
    LoaderError
        If the file is empty, binary, or not UTF-8/UTF-16 text.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise LoaderError(path, None, f"cannot read file: {e.strerror}") from e
    return split_lines(decode(data, path))


def decode(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode file contents, refusing empty, binary and non-UTF text with a clear reason.

    >>> decode(codecs.BOM_UTF8 + "Interviewer: hi".encode())
    'Interviewer: hi'
    """
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
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines

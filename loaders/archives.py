"""ZIP containers (``.qdpx`` projects, ``.xlsx`` workbooks): limits against zip bombs.

A container is checked from its central directory before any member is unpacked: the total
size its members unpack to, and that total against the packed size (the compression ratio).
Python's ``zipfile`` never yields more than a member's recorded size, so a member whose header
understates its size is cut short (and fails its CRC), never read beyond the limits checked.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from challenge_graph.graph.errors import LoaderError

__all__ = ["check_members"]


def check_members(source: Path | str, infos: Sequence[zipfile.ZipInfo], limits: Mapping[str, float]) -> None:
    """Refuse an archive whose members unpack to more than ``limits["max_unpacked_bytes"]`` in
    all, or to more than ``limits["max_ratio"]`` times their packed size.

    Raises
    ------
    LoaderError
        Naming the archive, the sizes found and the limits.
    """
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if infos and (total > limits["max_unpacked_bytes"] or total / packed > limits["max_ratio"]):
        largest = max(infos, key=lambda i: i.file_size)
        raise LoaderError(
            source,
            None,
            f"archive unpacks to {total} bytes ({total / packed:.0f}x its size; largest member "
            f"{largest.filename!r}, {largest.file_size} bytes): refused as a possible zip bomb "
            f"(limits: {limits['max_unpacked_bytes']:.0f} bytes, ratio {limits['max_ratio']:g})",
        )

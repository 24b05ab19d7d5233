"""Files and entries of kept values (:mod:`graph.kept_values`): a magic line, the SHA-256 of the
payload, the payload. A changed byte, a truncated file or a foreign format is noticed, logged and
rebuilt from the sources, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from challenge_graph.graph.kept_parts import KeptParts, reading_parts, setting_aside
from challenge_graph.graph.kept_values import DamagedKeptFile, pack, unpack

__all__ = ["MAGIC", "decode_kept", "encode_kept", "encode_kept_apart", "read_kept", "write_kept"]

logger = logging.getLogger(__name__)

MAGIC = b"challenge-graph kept v1\n"


def read_kept(path: Path, expect: type | tuple[type, ...] = object, items: tuple[type, ...] = ()) -> Any | None:
    """The value kept at ``path``, or None when there is none or it is damaged (logged: the
    caller builds it again from the sources). A value that is not an ``expect`` (a list whose
    items are not all ``items``, when given) is damaged too: a file that checks out but holds
    something else is never handed on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        logger.warning("ignoring unreadable %s: %s", path, e)
        return None
    return decode_kept(data, path, expect, items)


def decode_kept(
    data: bytes,
    where: Any,
    expect: type | tuple[type, ...] = object,
    items: tuple[type, ...] = (),
    checksum: bool = True,
    parts: KeptParts | None = None,
) -> Any | None:
    """The value of the kept bytes ``data`` (what :func:`encode_kept` gave), or None when they are
    damaged or not an ``expect`` (see :func:`read_kept`); ``where`` names them in the log. Without
    ``checksum``, the digest is not compared (bytes that never left memory: damage is still
    noticed when they do not decode). ``parts``: where the parts :func:`encode_kept_apart` set
    aside are read from, when first used (their own checksum is checked then)."""
    try:
        with reading_parts(parts):
            value = _checked(data, checksum)
        if not isinstance(value, expect) or (items and not all(isinstance(v, items) for v in value)):
            raise DamagedKeptFile(f"holds a {type(value).__name__}, not what this file keeps")
        return value
    except DamagedKeptFile as e:
        logger.warning("ignoring damaged %s (built again from the sources): %s", where, e)
        return None


def _checked(data: bytes, checksum: bool = True) -> Any:
    if not data.startswith(MAGIC):
        raise DamagedKeptFile("not a file this program keeps (no header)")
    view = memoryview(data)  # the payload is read in place, not copied
    digest, payload = view[len(MAGIC) : len(MAGIC) + 32], view[len(MAGIC) + 32 :]
    if checksum and hashlib.sha256(payload).digest() != digest:
        raise DamagedKeptFile("its checksum does not match its contents")
    return unpack(payload)


def encode_kept(value: Any) -> bytes:
    """``value`` as kept bytes: the magic line, the SHA-256 of the payload, the payload."""
    payload = pack(value)
    return MAGIC + hashlib.sha256(payload).digest() + payload


def encode_kept_apart(value: Any) -> tuple[bytes, list[bytes]]:
    """``value`` as :func:`encode_kept` keeps it, but for the bytes of its turns and held rows,
    set aside (:mod:`graph.kept_parts`): the caller keeps that list elsewhere, and reads the
    value with :class:`~graph.kept_parts.KeptParts` that fetch it."""
    with setting_aside() as parts:
        payload = pack(value)
    return MAGIC + hashlib.sha256(payload).digest() + payload, parts


def write_kept(path: Path, value: Any) -> None:
    """Keep ``value`` at ``path``, through a temporary file renamed into place (never half written)."""
    data = encode_kept(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".new-", delete=False) as f:
        f.write(data)
    try:
        os.replace(f.name, path)
    except BaseException:
        Path(f.name).unlink(missing_ok=True)
        raise

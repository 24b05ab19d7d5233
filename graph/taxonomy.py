"""The reference taxonomy of the ML workflow (``codebooks/taxonomy.yaml``): one shared axis that
every study's stages map onto with a SKOS relation, so that questions can cross studies."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from challenge_graph.graph.errors import CodebookError

__all__ = ["RELATIONS", "ReferenceStage", "Taxonomy", "load_taxonomy", "inherited_relation"]

# SKOS mapping relations (W3C SKOS Reference, section 10), read from the study's side
RELATIONS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


@dataclass(frozen=True)
class ReferenceStage:
    """A stage of the reference workflow; ``added_for`` says which study needed an addition."""

    id: str
    name: str
    position: int
    description: str = ""
    added_for: str = ""


@dataclass(frozen=True)
class Taxonomy:
    name: str
    source: str
    stages: tuple[ReferenceStage, ...]

    def stage(self, stage_id: str) -> ReferenceStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


@cache
def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """The bundled reference taxonomy (or the one at ``path``)."""
    where = Path(path) if path else Path(str(resources.files("challenge_graph.codebooks") / "taxonomy.yaml"))
    try:
        data: dict[str, Any] = yaml.safe_load(where.read_text(encoding="utf-8"))
        stages = tuple(
            ReferenceStage(s["id"], s["name"], i, s.get("description", ""), s.get("added_for", ""))
            for i, s in enumerate(data["stages"], start=1)
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as e:
        raise CodebookError(where, None, f"not a taxonomy: {e}") from None
    return Taxonomy(data.get("name", where.stem), data.get("source", ""), stages)


def inherited_relation(parent_relation: str) -> str:
    """The relation a sub-stage without a mapping of its own gets from its parent's: a part of a
    stage that matches (or is narrower than) a reference stage is narrower than it, so the
    reference stage is broader; anything else is only related.

    >>> inherited_relation("exactMatch"), inherited_relation("broadMatch"), inherited_relation("narrowMatch")
    ('broadMatch', 'broadMatch', 'relatedMatch')
    """
    return "broadMatch" if parent_relation in ("exactMatch", "closeMatch", "broadMatch") else "relatedMatch"

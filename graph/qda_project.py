"""A study as a QDA tool holds it: sources with their coded turns, coders, a code tree, cases.

The records a REFI-QDA export writes (``export/refi_qda.py``), read from a store by
``queries/qda_project.py``. They carry what a QDA tool can hold; what it cannot (protocols, tool
mentions, stored counts) is named in :attr:`QdaProject.left_out`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CONSENSUS_NOTE",
    "TURNS_NOTE",
    "ProjectTurn",
    "ProjectCoding",
    "ProjectSource",
    "ProjectCode",
    "ProjectCase",
    "ProjectCoder",
    "QdaProject",
]


# project notes a challenge-graph export writes and its loader reads back: the consensus coder
# (the note's author), and each source's turns (JSON: source guid -> [[start, end, speaker], ...],
# code-point offsets of each turn's paragraph), so turns come back whatever their labels
CONSENSUS_NOTE = "Consensus coder"
# what REFI-QDA has no field for, as set names and a description's first line (written by the
# export, read by the .qdc reader): a stage's codes, a kind's, the fixes of a challenge; a label
STAGE_SET, KIND_SET, ADDRESSES_SET, LABEL_LINE = "Stage: ", "Kind: ", "Addresses: ", "Label: "
TURNS_NOTE = "challenge-graph turns"


@dataclass(frozen=True)
class ProjectTurn:
    """One turn of an interview: its position, speaker label ("" for none) and text."""

    position: int
    speaker: str
    text: str


@dataclass(frozen=True)
class ProjectCoding:
    """A code applied to a turn by a coder (one ``CODED_AS`` relationship)."""

    position: int
    code_id: str
    coder: str


@dataclass(frozen=True)
class ProjectSource:
    """An interview: its title (the source's name), turns in order and codings."""

    interview_id: str
    title: str
    turns: tuple[ProjectTurn, ...]
    codings: tuple[ProjectCoding, ...] = ()


@dataclass(frozen=True)
class ProjectCode:
    """A code of the graph: its tag as coded (``code``), kind, category, description, the
    stages it stands at and the codes it addresses (a fix's challenges)."""

    id: str
    code: str
    name: str
    kind: str
    category: str = ""
    description: str = ""
    stages: tuple[str, ...] = ()  # stage names, in workflow order
    addresses: tuple[str, ...] = ()  # code ids


@dataclass(frozen=True)
class ProjectCase:
    """A participant: pseudonym, attributes from the participants sheet, interviews (ids)."""

    pseudonym: str
    attributes: dict[str, str] = field(default_factory=dict)
    interviews: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectCoder:
    """A coder; ``consensus`` for moderated codings (kept as their own user)."""

    name: str
    consensus: bool = False


@dataclass(frozen=True)
class QdaProject:
    """One study, ready to be written as a REFI-QDA project or codebook."""

    name: str
    study: str
    sources: tuple[ProjectSource, ...]
    codes: tuple[ProjectCode, ...]
    coders: tuple[ProjectCoder, ...] = ()
    cases: tuple[ProjectCase, ...] = ()
    stages: tuple[str, ...] = ()  # stage names in workflow order
    notes: tuple[tuple[str, str], ...] = ()  # (title, text): what has no REFI-QDA element of its own
    left_out: tuple[str, ...] = ()  # what the graph holds that the project does not

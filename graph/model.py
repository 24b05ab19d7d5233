"""Records that loaders produce, and the graph model (labels, properties, relationships).

The graph model here is the single source of the schema: the stores derive their tables
and constraints from ``NODES`` and ``RELATIONSHIPS``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

__all__ = [
    "Turn",
    "citation",
    "PAGED_FORMATS",
    "Speaker",
    "Coding",
    "Interview",
    "QuoteCoding",
    "CodingSet",
    "ProtocolQuestion",
    "Protocol",
    "ParticipantSheet",
    "Study",
    "CrosswalkRow",
    "Crosswalk",
    "DEFAULT_STUDY",
    "Record",
    "SourceFile",
    "NODES",
    "RELATIONSHIPS",
    "DERIVED_RELATIONSHIPS",
    "CODE_LABELS",
    "slugify",
]

INTERVIEWER, PARTICIPANT, UNKNOWN = "interviewer", "participant", "unknown"


PAGED_FORMATS = frozenset({"delve-pdf"})  # formats whose turns' ``line`` is the page they stand on


def citation(line: int | None, page: int | None = 0) -> str:
    """Where a quote stands in its source, as a paper cites it: ``p. 23`` for a page of a PDF,
    ``line 23`` for a line of a text file, "" when neither is known.

    >>> citation(0, 23), citation(41), citation(None, None)
    ('p. 23', 'line 41', '')
    """
    if page:
        return f"p. {page}"
    return f"line {line}" if line else ""


@dataclass(frozen=True)
class Turn:
    """One speaker turn (a paragraph in Delve exports), the unit that codings cover."""

    speaker: str
    text: str
    position: int
    line: int
    role: str = UNKNOWN


@dataclass(frozen=True)
class Speaker:
    """A speaker label of one interview, with its role and the pseudonym it maps to."""

    label: str
    role: str
    pseudonym: str
    participant_id: str


@dataclass(frozen=True)
class Coding:
    """A code applied by one coder to one or more consecutive turns."""

    code: str
    coder: str
    positions: tuple[int, ...]
    line: int | None = None
    category: str = ""  # from the exporting tool's code tree, used when the codebook has none
    source: str = ""  # the file the coding was read from (an interview may merge several)


@dataclass(frozen=True)
class Interview:
    """A transcript with its turns, speakers and codings, as read from one file."""

    id: str
    title: str
    source: str
    format: str
    turns: tuple[Turn, ...]
    speakers: tuple[Speaker, ...] = ()
    codings: tuple[Coding, ...] = ()
    coders: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    tags_read: int = 0  # code tags the file held, each one a (code, paragraph) to place
    file_coder: str = ""  # who made the file, even when it holds no codings
    consensus_coders: tuple[str, ...] = ()  # coders the file itself names as consensus (a REFI-QDA note)

    @property
    def words(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)


@dataclass(frozen=True)
class QuoteCoding:
    """A coding written by an analyst against a quote of a transcript (codings file)."""

    code: str
    quote: str
    line: int
    speaker: str | None = None


@dataclass(frozen=True)
class CodingSet:
    """Codings kept beside an uncoded transcript; merged into that interview at build time."""

    transcript: str
    coder: str
    source: str
    codings: tuple[QuoteCoding, ...]


@dataclass(frozen=True)
class ProtocolQuestion:
    """One question of an interview protocol; ``number`` is as written (``1``, ``a``, ``ii``)."""

    section: str
    number: str
    text: str
    position: int
    depth: int


@dataclass(frozen=True)
class Protocol:
    """An interview protocol: its sections and questions, not an interview."""

    id: str
    title: str
    source: str
    sections: tuple[str, ...]
    questions: tuple[ProtocolQuestion, ...] = field(default=())


@dataclass(frozen=True)
class ParticipantSheet:
    """Attributes of participants by pseudonym (``role: interviewer`` marks an interviewer)."""

    source: str
    rows: tuple[dict[str, str], ...]


Record = Interview | CodingSet | Protocol | ParticipantSheet

DEFAULT_STUDY = "default"  # the study of files in no study folder; its ids carry no prefix


@dataclass(frozen=True)
class Study:
    """A study: a folder with a ``study.yaml``. ``codebook`` is the stored name of its codebook
    file ("" for the codebook every study without one uses); ``consensus_folders`` replace the
    codebook's when given."""

    id: str
    title: str
    source: str = ""
    citation: str = ""
    doi: str = ""
    year: int = 0
    codebook: str = ""
    consensus_folders: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CrosswalkRow:
    """One row of a crosswalk: code ``from_code`` of study ``from_study`` relates to ``to_code`` of
    ``to_study`` with a SKOS ``relation``; only ``accepted`` rows reach the graph."""

    from_study: str
    from_code: str
    to_study: str
    to_code: str
    relation: str
    note: str = ""
    status: str = "accepted"
    line: int = 0


@dataclass(frozen=True)
class Crosswalk:
    """A crosswalk file: rows relating codes of different studies."""

    source: str
    rows: tuple[CrosswalkRow, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """One input file: its name (relative to the folder given), contents and digest."""

    name: str
    data: bytes
    origin: str = ""  # the path as given, for messages; defaults to name

    @property
    def where(self) -> str:
        return self.origin or self.name

    @cached_property
    def sha256(self) -> str:  # computed once: loads compare many files by it
        return hashlib.sha256(self.data).hexdigest()

    def renamed(self, name: str) -> SourceFile:
        """The same file under another ``name``."""
        return replace(self, name=name)


# --- graph model ----------------------------------------------------------------------------
# label -> {property: type}; every label's key is ``id``. Types are LadybugDB's names.
CODE_PROPERTIES = {
    "id": "STRING",
    "name": "STRING",
    "code": "STRING",
    "kind": "STRING",
    "category": "STRING",
    "description": "STRING",
    "known": "BOOLEAN",
    "implied": "BOOLEAN",
    # evidence, counted at build from participant turns (the graph is rebuilt on every load)
    "participants": "INT64",
    "interviews": "INT64",
    "quotes": "INT64",
    # the same two counts with the suggestions of auto included (graph/aggregates.py)
    "allQuotes": "INT64",
    "allParticipants": "INT64",
    "study": "STRING",  # the study whose codebook it belongs to
}
NODES: dict[str, dict[str, str]] = {
    "Interview": {
        "id": "STRING",
        "title": "STRING",
        "source": "STRING",
        "format": "STRING",
        "turns": "INT64",
        "words": "INT64",
        "coded": "BOOLEAN",
        "study": "STRING",
    },
    "Participant": {
        "id": "STRING",
        "pseudonym": "STRING",
        "role": "STRING",
        "interview": "STRING",
        "attributes": "STRING",  # JSON of a participants sheet's columns
        "study": "STRING",
    },
    "Excerpt": {
        "id": "STRING",
        "text": "STRING",
        "speaker": "STRING",
        "role": "STRING",
        "interview": "STRING",
        "position": "INT64",
        "line": "INT64",  # the line of a text file (0 for a PDF)
        "page": "INT64",  # the page of a PDF (0 for a text file)
    },
    "Challenge": CODE_PROPERTIES,
    "Fix": CODE_PROPERTIES,
    "Practice": CODE_PROPERTIES,
    "Question": CODE_PROPERTIES,  # a protocol code (Q1, Q4.4): which question a turn answers, never a challenge
    "Stage": {
        "id": "STRING",
        "name": "STRING",
        "position": "INT64",
        "track": "STRING",
        "parent": "STRING",
        "aliases": "STRING[]",
        "participants": "INT64",  # who reported a challenge coded at this stage
        "quotes": "INT64",
        "study": "STRING",
    },
    # a stage of the reference taxonomy (codebooks/taxonomy.yaml), the axis studies share
    "ReferenceStage": {
        "id": "STRING",
        "name": "STRING",
        "position": "INT64",
        "description": "STRING",
        "addedFor": "STRING",  # the study an addition to the published taxonomy was made for
    },
    "Tool": {"id": "STRING", "name": "STRING", "kind": "STRING"},
    "Coder": {"id": "STRING", "name": "STRING", "consensus": "BOOLEAN", "study": "STRING"},
    "Protocol": {"id": "STRING", "title": "STRING", "source": "STRING", "study": "STRING"},
    # a study: a folder with a study.yaml, or the default study of files in no study folder
    "Study": {
        "id": "STRING",
        "title": "STRING",
        "citation": "STRING",
        "doi": "STRING",
        "year": "INT64",
        "codebook": "STRING",  # the codebook's name
        "quotes": "INT64",  # participant turns a person coded with one of its challenges (graph/aggregates.py)
    },
    "ProtocolQuestion": {
        "id": "STRING",
        "section": "STRING",
        "number": "STRING",
        "text": "STRING",
        "position": "INT64",
        "depth": "INT64",
    },
    "Source": {
        "id": "STRING",
        "name": "STRING",
        "kind": "STRING",
        "format": "STRING",
        "sha256": "STRING",
    },
    # aggregates stored by graph/aggregates.py: challenges and their quotes per stage and category,
    # and the corpus-summary counts
    "StageCategory": {
        "id": "STRING",
        "stage": "STRING",
        "category": "STRING",
        "challenges": "INT64",
        "quotes": "INT64",
        "study": "STRING",
    },
    "CorpusCount": {"id": "STRING", "total": "INT64"},
    # every coding grouped by code and coder: the turns as their excerpts' ids, in interview and
    # position order (one list of text: Neo4j reads a text list beside a number list 15x slower)
    "CodedTurns": {
        "id": "STRING",
        "code": "STRING",
        "kind": "STRING",
        "coder": "STRING",
        "excerpts": "STRING[]",
        "study": "STRING",
    },
}
CODE_LABELS = ("Challenge", "Fix", "Practice", "Question")

# type -> ((from, to) pairs, {property: type})
RELATIONSHIPS: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str]]] = {
    "INTERVIEWED_IN": ((("Participant", "Interview"),), {}),
    "FROM": ((("Excerpt", "Interview"),), {}),
    "SAID": ((("Participant", "Excerpt"),), {}),
    "CODED_AS": (tuple(("Excerpt", label) for label in CODE_LABELS), {"coder": "STRING"}),
    "CODED": ((("Coder", "Interview"),), {"consensus": "BOOLEAN"}),  # a moderation file
    "AT_STAGE": (tuple((label, "Stage") for label in CODE_LABELS), {}),
    "ADDRESSES": ((("Fix", "Challenge"),), {}),
    "NEXT": ((("Stage", "Stage"),), {}),
    "PART_OF": ((("Stage", "Stage"),), {}),
    "MAPS_TO": ((("Stage", "ReferenceStage"),), {"relation": "STRING"}),  # a SKOS mapping relation
    "MENTIONS": ((("Excerpt", "Tool"),), {}),
    "ASKED_IN": ((("ProtocolQuestion", "Protocol"),), {}),
    "IN_STUDY": ((("Interview", "Study"),), {}),
    # an accepted crosswalk row: two codes of different studies, with a SKOS relation read from ``a``
    "MATCHES": (tuple((label, label) for label in CODE_LABELS), {"relation": "STRING", "note": "STRING"}),
    # aggregates stored by graph/aggregates.py (counts of participant turns between small nodes)
    "REPORTED": (
        tuple(("Participant", label) for label in CODE_LABELS),
        {"interview": "STRING", "quotes": "INT64", "allInterviews": "INT64"},
    ),
    "MENTIONED": ((("Participant", "Tool"),), {"quotes": "INT64"}),
    "MENTIONED_WITH": ((("Challenge", "Tool"),), {"participants": "INT64", "quotes": "INT64"}),
    "MENTIONED_AT": ((("Tool", "Stage"),), {"participants": "INT64", "quotes": "INT64"}),
    "CO_OCCURS": ((("Challenge", "Challenge"),), {"excerpts": "INT64", "codings": "INT64"}),
    "COVERS": ((("Study", "ReferenceStage"),), {"challenges": "INT64", "participants": "INT64", "quotes": "INT64"}),
}

# relationships a node's property already says, written from it rather than kept as rows of
# their own: type -> (source label, the property holding the target's id, target label)
DERIVED_RELATIONSHIPS: dict[str, tuple[str, str, str]] = {"FROM": ("Excerpt", "interview", "Interview")}

_NON_WORD = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=1 << 16)  # the same codes, tools and speakers come back row after row
def slugify(text: str) -> str:
    """Lower-case ``text`` and join its words (in any script) with hyphens; text with no word
    character at all gets a short digest, so distinct names never share an id.

    >>> slugify("Interview 35 ")
    'interview-35'
    >>> slugify("Loss_function"), slugify("访谈 3"), slugify("Entrevista Ñú")
    ('loss-function', '访谈-3', 'entrevista-ñú')
    >>> slugify("?!") == slugify("?!") != slugify("??"), slugify("")
    (True, '')
    """
    slug = _NON_WORD.sub("-", text.lower()).strip("-")
    if slug or not text.strip():
        return slug
    return "h-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]

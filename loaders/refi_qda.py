"""Load REFI-QDA project exchange files (``.qdpx``: NVivo, ATLAS.ti, MAXQDA, QualCoder, qc…).

A ``.qdpx`` is a ZIP holding one ``.qde`` XML project (``urn:QDA-XML:project:1.0``) and the
sources' plain text (``sources/`` or ``Sources/``). The archive is read in memory, never
extracted. Each text source becomes an interview whose turns come from its speaker labels (or
its paragraphs); each ``PlainTextSelection`` codes the turns its character offsets fall in.
Codes keep the project's names; a code's top-level ancestor in the code tree is its category.
"""

from __future__ import annotations

import bisect
import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Coding, Interview, ParticipantSheet, Turn, slugify
from challenge_graph.graph.qda_project import CONSENSUS_NOTE
from challenge_graph.graph.speakers import identify_speakers, with_roles
from challenge_graph.loaders import plain_text
from challenge_graph.loaders.archives import check_members
from challenge_graph.loaders.refi_qda_folder import internal_path
from challenge_graph.loaders.refi_qda_offsets import POINTS, Reading, SourceOffsets, choose_reading
from challenge_graph.loaders.refi_qda_turns import turn_tables, turns_from_table
from challenge_graph.loaders.text import decode, split_lines

__all__ = ["parse_qdpx", "parse_qde", "open_project", "LIMITS"]

FORMAT = "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
# what a source's name may end with that is not part of its title
DOCUMENT_SUFFIXES = {".txt", ".text", ".rtf", ".doc", ".docx", ".odt", ".pdf", ".htm", ".html", ".md"}
# limits against hostile archives (a zip bomb): total unpacked size and compression ratio, and
# the text actually read (project XML and transcripts, counted while streaming): parsing costs
# tens of bytes of memory per byte of text, so this bounds memory, not just the archive
LIMITS = {"max_unpacked_bytes": 500 * 1024 * 1024, "max_ratio": 200, "max_text_bytes": 50 * 1024 * 1024}
_BREAK = re.compile(r"\r\n|\r|\n")
_CHUNK = 1024 * 1024


def parse_qdpx(data: bytes, source: Path | str = "<qdpx>") -> list[Interview | ParticipantSheet]:
    """Parse the bytes of a ``.qdpx`` file into one interview per text source, and the project's
    cases (with their variables) as participant attributes.

    Raises
    ------
    LoaderError
        For a corrupt ZIP, a missing or malformed project XML, or offsets outside the text.
    """
    return _parse_archive(data, source, "the archive")


def parse_qde(data: bytes, source: Path | str = "<qde>") -> list[Interview | ParticipantSheet]:
    """Parse a ``.qde`` project: as discovery reads it (:func:`refi_qda_folder.read_project`), the
    ZIP of the project and the texts of its ``sources/`` folder, or the project XML alone (its
    texts then inline, ``PlainTextContent``)."""
    if data[:4] != b"PK\x03\x04":  # the XML alone: one code path all the same, through a ZIP of it
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("project.qde", data)
        data = out.getvalue()
    return _parse_archive(data, source, "the sources folder beside the .qde")


def open_project(data: bytes, source: Path | str = "<qdpx>"):
    """The archive of a ``.qdpx``, its members by name, the text budget, the project XML's name
    and bytes, each read within :data:`LIMITS`.

    Raises
    ------
    LoaderError
        For a corrupt ZIP, an archive past the limits, or one with no ``.qde`` member.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as e:
        raise LoaderError(source, None, f"not a REFI-QDA project: corrupt ZIP ({e})") from e
    members = {i.filename.replace("\\", "/"): i for i in archive.infolist() if i.filename and not i.is_dir()}
    check_members(source, list(members.values()), LIMITS)
    budget = _TextBudget(source)
    project_name = next((n for n in members if n.lower().endswith(".qde")), None)
    if project_name is None:
        raise LoaderError(source, None, "not a REFI-QDA project: no .qde file in the archive")
    return archive, members, budget, project_name, _read(archive, members[project_name], source, budget)


def _parse_archive(data: bytes, source: Path | str, container: str) -> list[Interview | ParticipantSheet]:
    archive, members, budget, project_name, xml = open_project(data, source)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        raise LoaderError(source, e.position[0], f"{project_name} is not well-formed XML ({e})") from e
    if root.tag != "{urn:QDA-XML:project:1.0}Project":
        raise LoaderError(source, None, f"{project_name} is not REFI-QDA project XML (root <{root.tag}>)")

    users = {u.get("guid"): u.get("name") or "unknown" for u in root.iterfind("q:Users/q:User", NS)}
    codes = _code_tree(root.find("q:CodeBook/q:Codes", NS))
    texts = [
        (text_source, SourceOffsets(_source_text(text_source, archive, members, source, budget, container)))
        for text_source in root.iterfind("q:Sources/q:TextSource", NS)
    ]
    reading = choose_reading(root.get("origin") or "", [(offsets, _selections(ts, source)) for ts, offsets in texts])
    consensus, tables = _consensus_coders(root, users), turn_tables(root)
    interviews = [
        replace(
            _interview(ts, offsets, reading, users, codes, source, tables.get(ts.get("guid") or "")),
            consensus_coders=consensus,
        )
        for ts, offsets in texts
    ]
    if not interviews:
        hint = f" (its {len(codes)} codes load as the codebook: challenge-graph load {Path(str(source)).name})"
        raise LoaderError(source, None, "the project has no text sources" + (hint if codes else ""))
    cases = _cases(root)
    return [*interviews, ParticipantSheet(Path(str(source)).name, cases)] if cases else interviews


def _consensus_coders(root: ET.Element, users: dict[str, str]) -> tuple[str, ...]:
    """Users a note named ``Consensus coder`` was made by: the moderated (consensus) coders, as
    ``challenge-graph export`` marks them."""
    notes = root.iterfind("q:Notes/q:Note", NS)
    return tuple(
        dict.fromkeys(
            users[note.get("creatingUser")]
            for note in notes
            if (note.get("name") or "").strip().casefold() == CONSENSUS_NOTE.casefold()
            and note.get("creatingUser") in users
        )
    )


def _cases(root: ET.Element) -> tuple[dict[str, str], ...]:
    """Cases with their variable values, as participants-sheet rows keyed by the case name (a
    case with no value says nothing about its participant: no row)."""
    variables = {v.get("guid"): v.get("name") or "variable" for v in root.iterfind("q:Variables/q:Variable", NS)}
    rows = []
    for case in root.iterfind("q:Cases/q:Case", NS):
        row = {"pseudonym": case.get("name") or case.get("guid", "case")}
        for value in case.iterfind("q:VariableValue", NS):
            ref = value.find("q:VariableRef", NS)
            name = variables.get(ref.get("targetGUID") if ref is not None else None, "variable")
            text = next((v.text for v in value if v.tag != f"{{{NS['q']}}}VariableRef" and v.text), "")
            if text:
                row[name.lower()] = text.strip()
        if len(row) > 1:
            rows.append(row)
    return tuple(rows)


class _TextBudget:
    """Bytes of text still allowed in this archive (``max_text_bytes`` over all members read)."""

    def __init__(self, source) -> None:
        self.source, self.left = source, LIMITS["max_text_bytes"]

    def take(self, size: int, name: str) -> None:
        self.left -= size
        if self.left < 0:
            raise LoaderError(
                self.source,
                None,
                f"the project holds more than {LIMITS['max_text_bytes']} bytes of text (at {name!r}): "
                "refused (split it into several projects)",
            )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source, budget: _TextBudget) -> bytes:
    """A member's bytes, read in chunks and counted against ``budget`` as they come (never more
    than the limits, whatever the member's header claims)."""
    limit = LIMITS["max_unpacked_bytes"]
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise LoaderError(
                        source, None, f"archive member {info.filename!r} unpacks beyond {limit} bytes: refused"
                    )
                budget.take(len(chunk), info.filename)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as e:
        raise LoaderError(source, None, f"corrupt archive member {info.filename!r} ({e})") from e
    return b"".join(chunks)


def _code_tree(codes: ET.Element | None) -> dict[str, tuple[str, str]]:
    """guid -> (code name, category: the name of its top-level ancestor).

    Walked with an explicit stack, never by recursion: a code tree nested thousands deep (a
    hostile project) loads like a flat one instead of overflowing Python's stack."""
    found: dict[str, tuple[str, str]] = {}
    # (code, its category so far): popped in document order, each code before its children
    stack = [(code, "") for code in reversed(codes.findall("q:Code", NS))] if codes is not None else []
    while stack:
        code, top = stack.pop()
        name = code.get("name") or code.get("guid", "")
        found[code.get("guid", "")] = (name, top or name)
        stack.extend((child, top or name) for child in reversed(code.findall("q:Code", NS)))
    return found


def _source_text(text_source, archive, members, source, budget: _TextBudget, container: str) -> str:
    inline = text_source.find("q:PlainTextContent", NS)
    if inline is not None and inline.text is not None:
        return inline.text
    path = text_source.get("plainTextPath")
    if not path:
        raise LoaderError(
            source, None, f"text source {text_source.get('name') or text_source.get('guid')!r} has no text"
        )
    wanted = internal_path(path)
    if wanted is None:
        raise LoaderError(source, None, f"text source file {path!r} lies outside the project's sources: refused")
    match = next((m for m in members if m.lower() == wanted or m.lower().endswith("sources/" + wanted)), None)
    if match is None:
        raise LoaderError(source, None, f"text source file {path!r} is not in {container}")
    return decode(_read(archive, members[match], source, budget), f"{source}!{match}")


def _title(name: str) -> str:
    """A source's title: its name without a document suffix (``Leader 4.txt``); a dot inside a
    title (``Dr. Smith interview``, ``P7 notes.v2``) stays."""
    suffix = Path(name).suffix
    return name[: -len(suffix)] if suffix.casefold() in DOCUMENT_SUFFIXES and len(name) > len(suffix) else name


def _name(text_source: ET.Element) -> str:
    return text_source.get("name") or Path(text_source.get("plainTextPath") or "source").stem


def _selections(text_source: ET.Element, source) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of a source's selections, as the project writes them."""
    name = _name(text_source)
    return [
        (_offset(selection, "startPosition", name, source), _offset(selection, "endPosition", name, source))
        for selection in text_source.iterfind("q:PlainTextSelection", NS)
    ]


def _interview(text_source, offsets: SourceOffsets, reading: Reading, users, codes, source, table=None) -> Interview:
    text, name = offsets.text, _name(text_source)
    title = _title(name)
    interview_id = slugify(title)
    turns, spans = turns_from_table(text, table) or _turns(text, interview_id, title)
    codings, coders = [], []
    length = offsets.length(reading.unit)
    for selection, (start, end) in zip(
        text_source.iterfind("q:PlainTextSelection", NS), _selections(text_source, source)
    ):
        if not 0 <= start <= end <= length:
            counted = "characters" if reading.unit == POINTS or not offsets.astral else reading.unit
            raise LoaderError(
                source,
                None,
                f"selection {selection.get('name') or selection.get('guid')!r} of {name!r} has offsets "
                f"{start}-{end} outside the text ({length} {counted})",
            )
        start, end = offsets.points(start, reading.unit)[0], offsets.points(end, reading.unit)[0]
        positions = _covered(spans, start, max(end, start + 1))
        for coding in selection.iterfind("q:Coding", NS):
            coder = _coder(selection, coding, users)
            coders.append(coder)
            for ref in coding.iterfind("q:CodeRef", NS):
                code, category = codes.get(ref.get("targetGUID"), (ref.get("targetGUID", "unknown"), ""))
                codings.append(Coding(code, coder, positions, None, category))
    speakers = identify_speakers(turns, interview_id, title)
    messages = () if codings else ("no coded selections: loaded as an uncoded interview",)
    if offsets.astral and codings and reading.message():  # the reading made a difference here
        messages = (*messages, reading.message())
    return Interview(
        interview_id,
        title,
        Path(str(source)).name,
        FORMAT,
        with_roles(turns, speakers),
        speakers,
        tuple(codings),
        tuple(dict.fromkeys(coders)),
        messages,
    )


def _coder(selection: ET.Element, coding: ET.Element, users: dict[str, str]) -> str:
    """Who coded: the user who made the selection (NVivo credits every ``Coding`` to the user who
    exported or merged the project), else the coding's user, else "unknown"."""
    for element in (selection, coding):
        user = element.get("creatingUser")
        if user in users:
            return users[user]
    return "unknown"


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, ...]:
    """Positions of the spans that overlap ``start``-``end``. Spans follow each other in the text,
    so those are one run of positions, found by bisection (a scan per selection made a project
    of 20,000 selections over 20,000 turns take 85 s)."""
    lo = bisect.bisect_right(spans, start, key=lambda span: span[1])  # the first span ending after start
    hi = bisect.bisect_left(spans, end, key=lambda span: span[0])  # the first span beginning at end or later
    return tuple(range(lo, hi))


def _offset(selection: ET.Element, attribute: str, name: str, source) -> int:
    """A selection's character offset; a value that is not a whole number is a LoaderError."""
    value = selection.get(attribute, "-1")
    try:
        return int(value)
    except ValueError:
        raise LoaderError(
            source,
            None,
            f"selection {selection.get('name') or selection.get('guid')!r} of {name!r} has {attribute}="
            f"{value[:40]!r}, not a whole number",
        ) from None


def _turns(text: str, interview_id: str, title: str) -> tuple[list[Turn], list[tuple[int, int]]]:
    """Turns of the source text, with the character span each covers (offsets as REFI-QDA counts
    them: characters of the text as stored, line breaks included)."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    lines = split_lines(text)
    if plain_text.looks_like_transcript(lines):
        turns = list(plain_text.parse(lines, source=title, title=title).turns)
    else:  # no speaker labels: paragraphs separated by blank lines are the units
        turns, block = [], []
        for number, line in enumerate(lines + [""], start=1):
            if line.strip():
                block.append((number, line.strip()))
            elif block:
                turns.append(Turn("", " ".join(x for _, x in block), len(turns), block[0][0]))
                block = []
    spans = []
    for i, turn in enumerate(turns):
        begin = starts[turn.line - 1]
        finish = starts[turns[i + 1].line - 1] if i + 1 < len(turns) else len(text)
        spans.append((begin, finish))
    return [replace(t, position=i) for i, t in enumerate(turns)], spans

"""Write a study as a REFI-QDA project (``.qdpx``) or codebook (``.qdc``), QDA-XML 1.0.

A project holds every interview as a text source (``sources/<guid>.txt``: a paragraph per turn,
``Label: text``), a user per coder (a consensus coder's note says so), the code tree (category →
code, a colour per kind), one ``PlainTextSelection`` per coded turn and coder whose offsets
(Unicode code points, as the standard counts) span the turn's text, a ``Coding`` per code on
it, participants as cases with their attributes, the stages and kinds as sets of codes
(``Stage: Loss function``, ``Kind: fix``), each fix's challenges as links (``addresses``), and
what has no element of its own as notes. GUIDs derive from the study and the thing they name,
so exporting the same graph twice gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from challenge_graph.graph.qda_project import (
    ADDRESSES_SET,
    CONSENSUS_NOTE,
    KIND_SET,
    LABEL_LINE,
    STAGE_SET,
    TURNS_NOTE,
    ProjectCode,
    ProjectSource,
    ProjectTurn,
    QdaProject,
)

__all__ = ["ProjectWritten", "source_text", "project_xml", "codebook_xml", "qdpx_bytes", "write_qdpx", "write_qdc"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
KIND_COLOURS = {"challenge": "#D55E00", "fix": "#009E73", "practice": "#56B4E9", "question": "#999999"}
_NAMESPACE = uuid.UUID("8d2f4f0c-3b1e-5c55-9d44-2f6a1c0b7e10")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # a fixed time: the same graph gives the same archive
# characters XML 1.0 cannot hold (control characters a PDF's text layer may carry)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ProjectWritten:
    """What :func:`write_qdpx` or :func:`write_qdc` put in the file."""

    path: Path
    sources: int
    users: int
    codes: int
    selections: int
    codings: int
    cases: int


def _guid(study: str, *key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join((study, *key))))


def _safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def source_text(source: ProjectSource) -> tuple[str, dict[int, tuple[int, int]]]:
    """The source's plain text, a paragraph per turn (``Label: text``, or the text alone for a
    turn with no label), and each turn's text span (start, end) in code points, by position.

    >>> from challenge_graph.graph.qda_project import ProjectTurn
    >>> text, spans = source_text(ProjectSource("i", "I", (ProjectTurn(0, "Leader 4", "It was the loss."),)))
    >>> text[slice(*spans[0])]
    'It was the loss.'
    """
    parts, spans, offset = [], {}, 0
    for turn in source.turns:
        prefix = _prefix(turn)
        paragraph = prefix + turn.text
        spans[turn.position] = (offset + len(prefix), offset + len(paragraph))
        parts.append(paragraph)
        offset += len(paragraph) + 2  # the blank line between turns
    return "\n\n".join(parts) + "\n", spans


def _prefix(turn: ProjectTurn) -> str:
    """What a turn's paragraph starts with: its speaker label and ": ", or nothing."""
    return f"{turn.speaker}: " if turn.speaker else ""


def _code_tree(parent: ET.Element, project: QdaProject, ns: str) -> dict[str, str]:
    """Append the code tree (category folders, not codable, holding their codes); code id -> guid."""
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    folders: dict[str, ET.Element] = {}
    guids = {}
    for code in project.codes:
        holder = codes
        if code.category:
            if code.category not in folders:
                folders[code.category] = ET.SubElement(
                    codes,
                    f"{{{ns}}}Code",
                    guid=_guid(project.study, "category", code.category),
                    name=_safe(code.category),
                    isCodable="false",
                )
            holder = folders[code.category]
        guids[code.id] = _guid(project.study, "code", code.id)
        element = ET.SubElement(
            holder,
            f"{{{ns}}}Code",
            guid=guids[code.id],
            name=_safe(code.code),
            isCodable="true",
            color=KIND_COLOURS.get(code.kind, "#999999"),
        )
        description = _description(code)
        if description:
            ET.SubElement(element, f"{{{ns}}}Description").text = _safe(description)
    return guids


def _description(code: ProjectCode) -> str:
    """The code's description, led by ``Label: <label>`` when the label is not the tag itself."""
    label = f"{LABEL_LINE}{code.name}" if code.name and code.name != code.code else ""
    return "\n".join(part for part in (label, code.description) if part)


def _code_sets(project: QdaProject, guids: dict[str, str], with_addresses: bool) -> list[tuple[str, list[str]]]:
    """(set name, member code guids): a set per stage (workflow order), per kind, and with
    ``with_addresses`` per challenge its fixes address."""
    sets: list[tuple[str, list[str]]] = []
    stage_names = list(project.stages) + sorted({s for c in project.codes for s in c.stages} - set(project.stages))
    for stage in stage_names:
        members = [guids[c.id] for c in project.codes if stage in c.stages]
        if members:
            sets.append((STAGE_SET + stage, members))
    for kind in sorted({c.kind for c in project.codes}):
        sets.append((KIND_SET + kind, [guids[c.id] for c in project.codes if c.kind == kind]))
    if with_addresses:
        by_id = {c.id: c for c in project.codes}
        for challenge in sorted({t for c in project.codes for t in c.addresses if t in by_id}):
            fixes = [guids[c.id] for c in project.codes if challenge in c.addresses]
            sets.append((ADDRESSES_SET + by_id[challenge].code, fixes))
    return sets


def codebook_xml(project: QdaProject) -> bytes:
    """The project's codes as a REFI-QDA codebook (``.qdc``): the code tree, and sets for stages,
    kinds and the challenges each fix addresses.

    Raises
    ------
    ValueError
        When the project has no codes (a codebook holds at least one).
    """
    if not project.codes:
        raise ValueError("no codes to write: a REFI-QDA codebook holds at least one")
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin="challenge-graph")
    guids = _code_tree(root, project, CODEBOOK_NS)
    sets = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
    for name, members in _code_sets(project, guids, with_addresses=True):
        element = ET.SubElement(sets, f"{{{CODEBOOK_NS}}}Set", guid=_guid(project.study, "set", name), name=_safe(name))
        for member in members:
            ET.SubElement(element, f"{{{CODEBOOK_NS}}}MemberCode", guid=member)
    return _bytes(root)


def project_xml(project: QdaProject) -> tuple[bytes, dict[str, str], int, int]:
    """The project's ``.qde`` XML, the text of each source by file name in the archive, and the
    numbers of selections and codings written."""
    ET.register_namespace("", PROJECT_NS)
    q = f"{{{PROJECT_NS}}}"
    root = ET.Element(q + "Project", name=_safe(project.name), origin="challenge-graph")
    users = {c.name: _guid(project.study, "user", c.name) for c in project.coders}
    for coding in (c for s in project.sources for c in s.codings):
        users.setdefault(coding.coder, _guid(project.study, "user", coding.coder))
    if users:
        holder = ET.SubElement(root, q + "Users")
        for name, guid in users.items():
            ET.SubElement(holder, q + "User", guid=guid, name=_safe(name))
    guids: dict[str, str] = {}
    if project.codes:
        guids = _code_tree(ET.SubElement(root, q + "CodeBook"), project, PROJECT_NS)
    source_guids = {s.interview_id: _guid(project.study, "source", s.interview_id) for s in project.sources}
    _cases(root, project, source_guids)
    texts, selections, codings, turn_table = {}, 0, 0, {}
    holder = ET.SubElement(root, q + "Sources") if project.sources else None
    for source in project.sources:
        guid = source_guids[source.interview_id]
        text, spans = source_text(source)
        texts[f"sources/{guid}.txt"] = text
        turn_table[guid] = [
            [start - len(_prefix(t)), end, t.speaker] for t, (start, end) in zip(source.turns, spans.values())
        ]
        element = ET.SubElement(
            holder, q + "TextSource", guid=guid, name=_safe(source.title), plainTextPath=f"internal://{guid}.txt"
        )
        by_turn: dict[tuple[int, str], list[str]] = {}
        for coding in source.codings:
            by_turn.setdefault((coding.position, coding.coder), []).append(coding.code_id)
        for (position, coder), code_ids in by_turn.items():
            start, end = spans[position]
            selection = ET.SubElement(
                element,
                q + "PlainTextSelection",
                guid=_guid(project.study, "selection", source.interview_id, str(position), coder),
                name=_safe(f"{source.title}, turn {position + 1}"),
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=users[coder],
            )
            selections += 1
            for code_id in code_ids:
                coding = ET.SubElement(
                    selection,
                    q + "Coding",
                    guid=_guid(project.study, "coding", source.interview_id, str(position), coder, code_id),
                    creatingUser=users[coder],
                )
                ET.SubElement(coding, q + "CodeRef", targetGUID=guids[code_id])
                codings += 1
    _notes(root, project, users, turn_table)
    _links(root, project, guids)
    sets = _code_sets(project, guids, with_addresses=False)
    if sets:
        holder = ET.SubElement(root, q + "Sets")
        for name, members in sets:
            element = ET.SubElement(holder, q + "Set", guid=_guid(project.study, "set", name), name=_safe(name))
            for member in members:
                ET.SubElement(element, q + "MemberCode", targetGUID=member)
    ET.SubElement(root, q + "Description").text = _safe(_about(project))
    return _bytes(root), texts, selections, codings


def _cases(root: ET.Element, project: QdaProject, source_guids: dict[str, str]) -> None:
    q = f"{{{PROJECT_NS}}}"
    names = sorted({k for case in project.cases for k in case.attributes})
    variables = {name: _guid(project.study, "variable", name) for name in names}
    if variables:
        holder = ET.SubElement(root, q + "Variables")
        for name, guid in variables.items():
            ET.SubElement(holder, q + "Variable", guid=guid, name=_safe(name), typeOfVariable="Text")
    if not project.cases:
        return
    holder = ET.SubElement(root, q + "Cases")
    for case in project.cases:
        element = ET.SubElement(
            holder, q + "Case", guid=_guid(project.study, "case", case.pseudonym), name=_safe(case.pseudonym)
        )
        for name, value in sorted(case.attributes.items()):
            holder_value = ET.SubElement(element, q + "VariableValue")
            ET.SubElement(holder_value, q + "VariableRef", targetGUID=variables[name])
            ET.SubElement(holder_value, q + "TextValue").text = _safe(value)
        for interview in case.interviews:
            if interview in source_guids:
                ET.SubElement(element, q + "SourceRef", targetGUID=source_guids[interview])


def _notes(root: ET.Element, project: QdaProject, users: dict[str, str], turn_table: dict[str, list]) -> None:
    """The consensus coders' notes, the project's own notes, and the turns of each source (see
    ``TURNS_NOTE``: what lets a load give back every turn, whatever its label)."""
    q = f"{{{PROJECT_NS}}}"
    notes = [
        (CONSENSUS_NOTE, users[c.name], f"{c.name}'s codings are the moderated (consensus) version.")
        for c in project.coders
        if c.consensus
    ]
    notes += [(title, None, text) for title, text in project.notes]
    if turn_table:  # ASCII JSON: any character of a label survives the XML
        notes.append((TURNS_NOTE, None, json.dumps(turn_table, separators=(",", ":"))))
    if not notes:
        return
    holder = ET.SubElement(root, q + "Notes")
    for title, user, text in notes:
        element = ET.SubElement(holder, q + "Note", guid=_guid(project.study, "note", title, user or ""), name=title)
        if user:
            element.set("creatingUser", user)
        ET.SubElement(element, q + "PlainTextContent").text = _safe(text)


def _links(root: ET.Element, project: QdaProject, guids: dict[str, str]) -> None:
    q = f"{{{PROJECT_NS}}}"
    pairs = [(c.id, target) for c in project.codes for target in c.addresses if target in guids]
    if not pairs:
        return
    holder = ET.SubElement(root, q + "Links")
    for fix, challenge in pairs:
        ET.SubElement(
            holder,
            q + "Link",
            guid=_guid(project.study, "link", fix, challenge),
            name="addresses",
            direction="OneWay",
            originGUID=guids[fix],
            targetGUID=guids[challenge],
        )


def _about(project: QdaProject) -> str:
    lines = [f"Study {project.study}, exported by challenge-graph."]
    if project.left_out:
        lines.append("Not in this project: " + "; ".join(project.left_out) + ".")
    return "\n".join(lines)


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def qdpx_bytes(project: QdaProject) -> tuple[bytes, int, int]:
    """The ``.qdpx`` archive of ``project`` (``project.qde`` and ``sources/``), and the numbers
    of selections and codings in it."""
    xml, texts, selections, codings = project_xml(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("project.qde", xml), *((n, t.encode("utf-8")) for n, t in sorted(texts.items()))):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), selections, codings


def write_qdpx(project: QdaProject, out: Path) -> ProjectWritten:
    """Write ``project`` as a ``.qdpx`` archive (``project.qde`` and ``sources/``) at ``out``."""
    data, selections, codings = qdpx_bytes(project)
    out = Path(out)
    out.write_bytes(data)
    users = len({c.name for c in project.coders} | {c.coder for s in project.sources for c in s.codings})
    return ProjectWritten(out, len(project.sources), users, len(project.codes), selections, codings, len(project.cases))


def write_qdc(project: QdaProject, out: Path) -> ProjectWritten:
    """Write the project's codes as a ``.qdc`` codebook at ``out``."""
    out = Path(out)
    out.write_bytes(codebook_xml(project))
    return ProjectWritten(out, 0, 0, len(project.codes), 0, 0, 0)

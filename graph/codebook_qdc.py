"""Read a REFI-QDA codebook (``.qdc``, ``urn:QDA-XML:codebook:1.0``) as a codebook.

Each codable code becomes an explicit entry: its top-level folder is its category, its
description is kept (a first line ``Label: …`` names it, as ``challenge-graph export x.qdc``
writes). Sets named ``Stage: <name>`` give the workflow (in their order) and the stage of their
member codes, ``Kind: <kind>`` their kind, ``Addresses: <code>`` the challenge a fix addresses.
A stage the bundled codebook also has (by name) keeps its mapping to the reference taxonomy.
What a QDA codebook does not hold (the tool gazetteer, the fix suffix, the protocol question
pattern, consensus folders) comes from the bundled codebook; its prefix rules do not.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from challenge_graph.graph.code_names import normalise_name
from challenge_graph.graph.codebook import Codebook, default_codebook_path, parse_codebook
from challenge_graph.graph.errors import CodebookError
from challenge_graph.graph.model import slugify
from challenge_graph.graph.qda_project import ADDRESSES_SET, KIND_SET, LABEL_LINE, STAGE_SET

__all__ = ["parse_qdc", "parse_codebook_file", "QDC_SUFFIX"]

QDC_SUFFIX = ".qdc"
NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0")
KINDS = ("challenge", "fix", "practice", "question", "ignore")
_KEPT_FROM_BUNDLED = ("fix_suffix", "question_pattern", "consensus_coders", "consensus_folders", "tools")


def parse_codebook_file(data: bytes, source: Path | str) -> Codebook:
    """A codebook file's bytes: REFI-QDA XML for a ``.qdc`` name, YAML otherwise."""
    if str(source).casefold().endswith(QDC_SUFFIX):
        return parse_qdc(data, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CodebookError(source, None, "codebook is not UTF-8 text") from e
    return parse_codebook(text, source=source)


def parse_qdc(data: bytes, source: Path | str = "<qdc>") -> Codebook:
    """Parse a REFI-QDA codebook (or the ``CodeBook`` of a project's XML) into a Codebook.

    Raises
    ------
    CodebookError
        For XML that is not well formed, that is not a REFI-QDA codebook, or that has no codes.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise CodebookError(source, e.position[0], f"not well-formed XML ({e})") from e
    ns = next((n for n in NAMESPACES if root.tag.startswith(f"{{{n}}}")), None)
    if ns is None or root.tag.rsplit("}", 1)[-1] not in ("CodeBook", "Project"):
        raise CodebookError(source, None, f"not a REFI-QDA codebook (root <{root.tag}>)")
    codes_root = (
        root.find(f"{{{ns}}}Codes") if root.tag.endswith("CodeBook") else root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    )
    codes = list(_codes(codes_root, ns))
    if not codes:
        raise CodebookError(source, None, "the codebook holds no code")
    return Codebook(codebook_data(codes, _sets(root, ns), Path(str(source)).stem), source)


def codebook_data(codes: list[dict[str, str]], sets: list[tuple[str, list[str]]], name: str) -> dict[str, Any]:
    """The codebook (as its YAML would read) of ``codes`` (guid, name, category, description)
    and ``sets`` (name, member guids)."""
    bundled = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    known_stages = {normalise_name(s["name"]): s for s in bundled["workflow"]}
    entries: dict[str, dict[str, Any]] = {}
    owners: dict[str, dict[str, str]] = {}  # a code name, any case -> the code that defines it
    notes = []
    for code in codes:
        owner = owners.setdefault(code["name"].casefold(), code)
        if owner is not code:  # the codebook knows a code by its name: the first one defines it
            notes.append(
                f"{name}: code {code['name']!r}{_under(code)} is also {owner['name']!r}{_under(owner)}: "
                f"read as one code, described as the first"
            )
            continue
        entry: dict[str, Any] = {"__line__": None}
        description = code["description"]
        if description.startswith(LABEL_LINE):
            label, _, description = description.partition("\n")
            entry["label"] = label.removeprefix(LABEL_LINE).strip()
        if description.strip():
            entry["description"] = description.strip()
        if code["category"]:
            entry["category"] = code["category"]
        entries.setdefault(code["name"], entry)
    by_guid = {c["guid"]: c for c in codes if owners[c["name"].casefold()] is c}
    workflow: list[dict[str, Any]] = []
    for set_name, members in sets:
        names = [by_guid[g]["name"] for g in members if g in by_guid]
        if set_name.startswith(STAGE_SET):
            stage = set_name.removeprefix(STAGE_SET).strip()
            workflow.append(_stage(stage, known_stages, {s["id"] for s in workflow}, len(workflow)))
            for code in names:
                entries[code].setdefault("stage", workflow[-1]["id"])
        elif set_name.startswith(KIND_SET) and set_name.removeprefix(KIND_SET).strip().casefold() in KINDS:
            for code in names:
                entries[code]["kind"] = set_name.removeprefix(KIND_SET).strip().casefold()
        elif set_name.startswith(ADDRESSES_SET):
            for code in names:
                entries[code]["addresses"] = set_name.removeprefix(ADDRESSES_SET).strip()
    question = re.compile(bundled.get("question_pattern") or r"(?!)")
    for code, entry in entries.items():  # an explicit entry would hide the pattern from classify
        if "kind" not in entry and question.fullmatch(code):
            entry["kind"] = "question"
    data: dict[str, Any] = {k: bundled[k] for k in _KEPT_FROM_BUNDLED if k in bundled}
    data.update(name=name, workflow=workflow, codes=entries, reading_notes=notes)
    for tool in data.get("tools", []):
        tool.setdefault("__line__", None)
    return data


def _under(code: dict[str, str]) -> str:
    return f" (in {code['category']})" if code["category"] else ""


def _stage(name: str, known: dict[str, dict], ids: set[str], position: int) -> dict[str, Any]:
    """A workflow entry for stage ``name``: the bundled codebook's entry of that name (its id,
    aliases, track and mapping; its parent when listed before), else a new stage."""
    bundled = known.get(normalise_name(name))
    entry: dict[str, Any] = {"id": slugify(name) or f"stage-{position + 1}", "name": name, "__line__": None}
    if bundled:
        entry.update({k: v for k, v in bundled.items() if k in ("id", "aliases", "track", "maps_to", "description")})
        if bundled.get("parent") in ids:
            entry["parent"] = bundled["parent"]
    if entry["id"] in ids:
        entry["id"] = f"{entry['id']}-{position + 1}"
    return entry


def _codes(codes_root: ET.Element | None, ns: str):
    """(guid, name, category, description) of every codable code, walked without recursion."""
    stack = [(c, "") for c in reversed(codes_root.findall(f"{{{ns}}}Code"))] if codes_root is not None else []
    while stack:
        code, top = stack.pop()
        name = (code.get("name") or "").strip()
        if name and code.get("isCodable", "true").strip().casefold() in ("true", "1"):
            description = code.findtext(f"{{{ns}}}Description") or ""
            yield {"guid": code.get("guid", ""), "name": name, "category": top, "description": description}
        stack.extend((child, top or name) for child in reversed(code.findall(f"{{{ns}}}Code")))


def _sets(root: ET.Element, ns: str) -> list[tuple[str, list[str]]]:
    """(name, member code guids) of each set (``MemberCode`` names its code by ``guid`` in a
    codebook, by ``targetGUID`` in a project)."""
    found = []
    for element in root.iter(f"{{{ns}}}Set"):
        members = [m.get("guid") or m.get("targetGUID") or "" for m in element.findall(f"{{{ns}}}MemberCode")]
        found.append((element.get("name") or "", members))
    return found

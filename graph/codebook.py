"""Codebooks: what each code means in the graph (kind, stage, category, label, fixes).

A codebook is YAML with ``workflow`` (ordered stages), ``prefixes`` (rules by code prefix),
``fix_suffix``, ``codes`` (explicit entries that override the rules) and ``tools`` (a
gazetteer for mentions). Unknown codes are never dropped: they classify as challenges with
``known=False`` so that ``check`` can list them.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from challenge_graph.graph.code_names import code_label, normalise_name, tolerant_key
from challenge_graph.graph.errors import CodebookError
from challenge_graph.graph.gazetteer import Gazetteer, ToolEntry, compile_tool
from challenge_graph.graph.model import CODE_LABELS
from challenge_graph.graph.taxonomy import RELATIONS, inherited_relation, load_taxonomy

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in

__all__ = [
    "Codebook",
    "Stage",
    "PrefixRule",
    "CodeInfo",
    "ToolEntry",
    "AutocodeRule",
    "load_codebook",
    "parse_codebook",
    "default_codebook_path",
    "tolerant_key",
    "normalise_name",
]

KINDS = {"challenge": "Challenge", "fix": "Fix", "practice": "Practice", "question": "Question"}
IGNORED = "ignore"  # the kind of codes that are not loaded (a codebook's own bookkeeping tags)
UNCATEGORISED = "Uncategorised"

_SCHEMA: dict[str, dict[str, Any]] = {
    "codebook": {
        "name": str,
        "description": str,
        "fix_suffix": str,
        "workflow": ["stage"],
        "prefixes": ["prefix"],
        "codes": {"*": "code"},
        "tools": ["tool"],
        "consensus_coders": [str],
        "consensus_folders": [str],
        "autocode": ["rule"],
        "question_pattern": str,
    },
    "stage": {
        "id": str,
        "name": str,
        "aliases": [str],
        "parent": str,
        "track": str,
        "description": str,
        "maps_to": {"*": str},
    },
    "prefix": {"prefix": str, "kind": str, "category": str, "stage": str},
    "code": {
        "kind": str,
        "stage": str,
        "label": str,
        "category": str,
        "description": str,
        "addresses": str,
    },
    "tool": {"name": str, "kind": str, "patterns": [str]},
    "rule": {"code": str, "patterns": [str], "speakers": str},
}
_REQUIRED = {
    "codebook": ("workflow",),
    "stage": ("id", "name"),
    "prefix": ("prefix", "kind"),
    "code": (),
    "tool": ("name", "kind"),
    "rule": ("code", "patterns"),
}


@dataclass(frozen=True)
class Stage:
    """A workflow stage; ``position`` orders stages, ``parent`` makes it a sub-stage."""

    id: str
    name: str
    position: int
    track: str
    parent: str
    aliases: tuple[str, ...]
    description: str = ""
    # reference stages (graph/taxonomy.py) with the SKOS relation from this stage: (id, relation)
    maps_to: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PrefixRule:
    prefix: str
    kind: str
    category: str
    stage: str


@dataclass(frozen=True)
class CodeInfo:
    """What a raw code tag means: its label (``Challenge``…), human name, stage, category."""

    code: str
    label: str
    name: str
    category: str
    stage: str
    description: str
    known: bool
    addresses: str | None = None


@dataclass(frozen=True)
class AutocodeRule:
    """Suggest ``code`` for turns matching ``pattern`` (participants' turns unless ``all``)."""

    code: str
    pattern: re.Pattern[str]
    speakers: str = "participant"


def default_codebook_path() -> Path:
    """The bundled codebook, ``codebooks/ml-engineering.yaml`` (package data)."""
    return Path(str(resources.files("challenge_graph.codebooks") / "ml-engineering.yaml"))


def load_codebook(path: Path | str | None = None) -> Codebook:
    """Read and validate a codebook file (the bundled one when ``path`` is None)."""
    path = Path(path) if path else default_codebook_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CodebookError(path, None, f"cannot read codebook: {e}") from e
    return parse_codebook(text, source=path)


def parse_codebook(text: str, source: Path | str = "<codebook>") -> Codebook:
    """Parse codebook YAML, naming the line of any typo or missing field.

    Examples
    --------
    >>> cb = parse_codebook('''
    ... workflow:
    ...   - {id: training, name: Training, aliases: [train]}
    ... prefixes:
    ...   - {prefix: MT, kind: challenge, category: Model training, stage: training}
    ... ''')
    >>> info = cb.classify("MT-slow-training-fix")
    >>> info.label, info.name, info.stage, info.addresses
    ('Fix', 'Fix: slow training', 'training', 'MT-slow-training')
    """
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise CodebookError(source, mark.line + 1 if mark else None, f"invalid YAML: {getattr(e, 'problem', e)}") from e
    if root is None:
        raise CodebookError(source, None, "empty codebook")
    data = _convert(root, "codebook", source)
    return Codebook(data, source)


class Codebook:
    """A validated codebook. Build one with :func:`load_codebook`."""

    def __init__(self, data: dict[str, Any], source: Path | str = "<codebook>") -> None:
        self.source = str(source)
        self.digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        self.name = data.get("name", Path(self.source).stem)
        self.notes = tuple(data.get("reading_notes", ()))  # what a reader noticed (a .qdc's merged codes)
        self.fix_suffix = data.get("fix_suffix", "-fix")
        self.consensus_coders = tuple(data.get("consensus_coders", ()))
        self.consensus_folders = tuple(data.get("consensus_folders", ("moderation", "consensus")))
        self.stages = self._stages(data["workflow"])
        self._stage_by_key = {}
        for stage in self.stages:
            for key in (stage.id, stage.name, *stage.aliases):
                self._stage_by_key[normalise_name(key)] = stage
        self.prefixes = self._prefixes(data.get("prefixes", []))
        self.question_pattern = self._pattern(data.get("question_pattern", ""))
        self.codes = {code.casefold(): self._explicit(code, entry) for code, entry in data.get("codes", {}).items()}
        self.autocode = tuple(self._rule(r) for r in data.get("autocode", []))
        self.tools = tuple(compile_tool(t, self.source) for t in data.get("tools", []))
        self.gazetteer = Gazetteer(self.tools)
        self._classified: dict[str, CodeInfo] = {}  # classify()'s answers, by tag

    def is_consensus(self, coder: str, source_name: str = "") -> bool:
        """True for a moderated/consensus coding: a coder the codebook names as consensus, or a
        file kept in a consensus folder (``moderation/``, ``consensus/`` by default)."""
        folders = {f.casefold() for f in self.consensus_folders}
        parts = {p.casefold() for p in Path(source_name).parts[:-1]}
        return coder.casefold() in {c.casefold() for c in self.consensus_coders} or bool(parts & folders)

    # --- stages ---------------------------------------------------------------------------
    def stage(self, name: str) -> Stage | None:
        """The stage with this id, name or alias (case, hyphens and spacing ignored)."""
        return self._stage_by_key.get(normalise_name(name))

    def _stages(self, entries: list[dict[str, Any]]) -> tuple[Stage, ...]:
        stages, ids = [], set()
        for position, entry in enumerate(entries, start=1):
            line = entry["__line__"]
            if entry["id"] in ids:
                raise CodebookError(self.source, line, f"duplicate stage id {entry['id']!r}")
            parent = entry.get("parent", "")
            if parent and parent not in ids:
                raise CodebookError(
                    self.source, line, f"stage {entry['id']!r}: parent {parent!r} must be listed before it"
                )
            ids.add(entry["id"])
            parent_stage = next((s for s in stages if s.id == parent), None)
            parent_track = parent_stage.track if parent_stage else ""
            maps_to = self._mappings(entry.get("maps_to", {}), line)
            if not maps_to and parent_stage:  # a sub-stage is narrower than what its parent maps to
                maps_to = tuple((ref, inherited_relation(rel)) for ref, rel in parent_stage.maps_to)
            stages.append(
                Stage(
                    entry["id"],
                    entry["name"],
                    position,
                    entry.get("track", parent_track),
                    parent,
                    tuple(entry.get("aliases", ())),
                    entry.get("description", ""),
                    maps_to,
                )
            )
        return tuple(stages)

    def _mappings(self, given: dict[str, str], line: int) -> tuple[tuple[str, str], ...]:
        """``maps_to`` of a stage, checked against the reference taxonomy and SKOS's relations."""
        taxonomy = load_taxonomy()
        out = []
        for ref, relation in given.items():
            if taxonomy.stage(ref) is None:
                hint = _did_you_mean(ref, [s.id for s in taxonomy.stages])
                raise CodebookError(self.source, line, f"maps_to: no reference stage {ref!r}{hint}")
            if relation not in RELATIONS:
                raise CodebookError(
                    self.source, line, f"maps_to {ref}: {relation!r} is not a SKOS relation ({', '.join(RELATIONS)})"
                )
            out.append((ref, relation))
        return tuple(out)

    # --- codes ----------------------------------------------------------------------------
    def _prefixes(self, entries: list[dict[str, Any]]) -> tuple[PrefixRule, ...]:
        rules = []
        for entry in entries:
            kind = self._kind(entry["kind"], entry["__line__"])
            stage = self._stage_id(entry.get("stage", ""), entry["__line__"])
            rules.append(PrefixRule(entry["prefix"], kind, entry.get("category", UNCATEGORISED), stage))
        # longest prefix first, so Data-collection wins over Data
        return tuple(sorted(rules, key=lambda r: -len(r.prefix)))

    def _explicit(self, code: str, entry: dict[str, Any]) -> dict[str, Any]:
        line = entry["__line__"]
        checked = dict(entry)
        if "kind" in entry:
            checked["kind"] = self._kind(entry["kind"], line)
        if "stage" in entry:
            checked["stage"] = self._stage_id(entry["stage"], line)
        return checked

    def _rule(self, entry: dict[str, Any]) -> AutocodeRule:
        speakers = entry.get("speakers", "participant")
        if speakers not in ("participant", "all"):
            raise CodebookError(
                self.source, entry["__line__"], f"autocode speakers must be participant or all, not {speakers!r}"
            )
        try:
            pattern = re.compile("|".join(f"(?:{p})" for p in entry["patterns"]), re.IGNORECASE)
        except re.error as e:
            raise CodebookError(
                self.source, entry["__line__"], f"autocode rule for {entry['code']!r}: bad pattern ({e})"
            ) from e
        return AutocodeRule(entry["code"], pattern, speakers)

    def _kind(self, kind: str, line: int) -> str:
        if kind.lower() == IGNORED:
            return IGNORED
        if kind.lower() not in KINDS:
            raise CodebookError(
                self.source, line, f"unknown kind {kind!r} (expected challenge, fix, practice, question or ignore)"
            )
        return KINDS[kind.lower()]

    def _pattern(self, pattern: str) -> re.Pattern[str] | None:
        """``question_pattern``: codes it matches whole (case-insensitively) are protocol questions."""
        if not pattern:
            return None
        try:
            return re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            raise CodebookError(
                self.source, None, f"question_pattern {pattern!r} is not a regular expression: {e}"
            ) from None

    def _stage_id(self, name: str, line: int) -> str:
        if not name:
            return ""
        stage = self.stage(name)
        if stage is None:
            hint = _did_you_mean(name, [s.id for s in self.stages])
            raise CodebookError(self.source, line, f"unknown stage {name!r}{hint}")
        return stage.id

    def rule_for(self, code: str) -> PrefixRule | None:
        """The longest prefix rule matching ``code`` at a hyphen boundary, case-insensitively."""
        folded = code.casefold()
        for rule in self.prefixes:
            p = rule.prefix.casefold()
            if folded == p or folded.startswith(p + "-"):
                return rule
        return None

    def fix_target(self, code: str) -> str | None:
        """The challenge code a fix code addresses (``X-fix`` → ``X``), or None."""
        if code.casefold().endswith(self.fix_suffix.casefold()) and len(code) > len(self.fix_suffix):
            return code[: -len(self.fix_suffix)]
        return None

    def classify(self, code: str) -> CodeInfo:
        """Give a raw code tag its meaning: explicit entry, else prefix rule, else unknown
        (worked out once per tag: a load asks again for every coding)."""
        known = self._classified.get(code)
        if known is None:
            known = self._classified[code] = self._classify(code)
        return known

    def _classify(self, code: str) -> CodeInfo:
        entry = self.codes.get(code.casefold(), {})
        target = entry.get("addresses") or self.fix_target(code)
        rule = self.rule_for(target or code)
        question = not entry and not target and self.question_pattern and self.question_pattern.fullmatch(code)
        label = entry.get("kind") or (
            "Fix" if target else "Question" if question else rule.kind if rule else "Challenge"
        )
        if label != "Fix":
            target = entry.get("addresses")
        stage = entry.get("stage", rule.stage if rule else "")
        category = entry.get("category", rule.category if rule else UNCATEGORISED)
        prefix, rule_category = (rule.prefix, rule.category) if rule else ("", "")
        named_by = rule_category if rule_category != UNCATEGORISED else ""
        name = entry.get("label") or code_label(code, prefix, named_by, self.fix_suffix if target else "")
        known = bool(entry) or rule is not None or bool(question)
        return CodeInfo(code, label, name, category, stage, entry.get("description", ""), known, target)

    def mentions(self, text: str) -> list[ToolEntry]:
        """The gazetteer's tools mentioned in ``text``, in gazetteer order (:mod:`graph.gazetteer`)."""
        return self.gazetteer.mentions(text)

    def mentions_in(self, texts: Sequence[str]) -> list[list[ToolEntry]]:
        """:meth:`mentions` for each of an interview's turns, in one look at the whole interview."""
        return self.gazetteer.mentions_in(texts)


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _convert(node: yaml.Node, kind: Any, source: Path | str) -> Any:
    """Turn a YAML node into Python values, checking it against ``_SCHEMA`` as it goes."""
    line = node.start_mark.line + 1
    if kind is str:
        if not isinstance(node, yaml.ScalarNode):
            raise CodebookError(source, line, "expected a text value")
        return str(node.value)
    if isinstance(kind, list):
        if not isinstance(node, yaml.SequenceNode):
            raise CodebookError(source, line, "expected a list")
        return [_convert(item, kind[0], source) for item in node.value]
    if isinstance(kind, dict):  # {"*": item kind}: a mapping with free keys
        if not isinstance(node, yaml.MappingNode):
            raise CodebookError(source, line, "expected a mapping")
        return {k.value: _convert(v, kind["*"], source) for k, v in node.value}
    fields = _SCHEMA[kind]
    if not isinstance(node, yaml.MappingNode):
        raise CodebookError(source, line, f"expected a {kind} mapping")
    out: dict[str, Any] = {"__line__": line}
    for key, value in node.value:
        if key.value not in fields:
            hint = _did_you_mean(key.value, list(fields))
            raise CodebookError(source, key.start_mark.line + 1, f"unknown {kind} key {key.value!r}{hint}")
        out[key.value] = _convert(value, fields[key.value], source)
    for key in _REQUIRED[kind]:
        if key not in out:
            raise CodebookError(source, line, f"{kind} is missing {key!r}")
    return out


assert set(KINDS.values()) == set(CODE_LABELS)

"""Find, describe and run the named queries in this folder.

Each ``NAME.cypher`` starts with a header of ``// key: value`` lines::

    // name: challenges-at-stage
    // title: Challenges at a stage
    // description: ...
    // param: stage STAGE  Stage name, id or alias
    // param: limit INT = 10  How many rows
    // returns: challenge, code, participants, quotes

Parameters of type STAGE, CHALLENGE and PARTICIPANT accept names, codes, ids or aliases,
case-insensitively; the runner resolves them to node ids before the query runs. ANYSTAGE is a
STAGE or the exact id of a stage of the reference taxonomy (``model-training``), which wins. STUDY
is a study's id or title, or ``all`` (the query receives "" and keeps every study). A parameter
``NAME`` of type PAGE is a 1-based page of ``PAGE_SIZE`` rows: the query receives ``$NAME``
and the rows to pass over and take as ``$NAME_skip`` and ``$NAME_size`` (LadybugDB's SKIP
and LIMIT accept a parameter or a literal, never an expression). ``all`` asks for every row at
once: the query receives page 0, nothing to pass over and ``ALL_ROWS`` to take.

A body line ``// on DIALECT: CYPHER`` is a comment on every store but one: on a store of that
dialect (``neo4j``, ``ladybug``) it reads as ``CYPHER``. It is for a clause that changes how an
engine runs the query, never what it returns (a test runs both forms and compares the rows).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from challenge_graph.graph.code_names import normalise_name
from challenge_graph.graph.errors import QueryError
from challenge_graph.store.base import GraphStore, QueryResult

__all__ = [
    "PAGE_SIZE",
    "ALL_PAGES",
    "Param",
    "NamedQuery",
    "list_queries",
    "get_query",
    "resolve_params",
    "run_query",
    "corpus_summary",
    "ALL_STUDIES",
]

QUERY_DIR = Path(str(resources.files("challenge_graph.queries")))  # the .cypher files are package data
DIALECTS = ("ladybug", "neo4j")  # what GraphStore.dialect can be
PARAM_TYPES = ("STAGE", "ANYSTAGE", "CHALLENGE", "PARTICIPANT", "STUDY", "INT", "STRING", "PAGE")
ALL_STUDIES = "all"  # a STUDY parameter's value for every study (the query receives "")
PAGE_SIZE = 50  # rows of a page (a PAGE parameter)
ALL_PAGES = "all"  # a PAGE parameter's value for every row at once
ALL_ROWS = 2**62  # what a query takes for page=all (LIMIT needs a number)
_HEADER = re.compile(r"^//\s*(\w+):\s*(.*)$")
_ON_DIALECT = re.compile(r"^(?P<indent>\s*)//\s*on\s+(?P<dialect>\w+):\s?(?P<cypher>.*)$")
_PARAM = re.compile(r"^(?P<name>\w+)\s+(?P<type>[A-Z]+)(?:\s*=\s*(?P<default>\S+))?\s*(?P<help>.*)$")

# how each entity parameter is looked up: Cypher listing candidates, and the kind's name
_LOOKUPS = {
    "STAGE": (
        "MATCH (s:Stage) RETURN s.id AS id, s.name AS name, s.aliases AS aliases, s.study AS study "
        "ORDER BY s.position, s.id",
        "stage",
    ),
    "CHALLENGE": (
        "MATCH (c:Challenge) RETURN c.id AS id, c.name AS name, c.code AS code, c.study AS study ORDER BY c.code, c.id",
        "challenge",
    ),
    "PARTICIPANT": (
        "MATCH (p:Participant) RETURN p.id AS id, p.pseudonym AS name, p.study AS study ORDER BY p.pseudonym, p.id",
        "participant",
    ),
    "STUDY": ("MATCH (s:Study) RETURN s.id AS id, s.title AS name ORDER BY s.id", "study"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    help: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    returns: tuple[str, ...]
    cypher: str
    path: Path

    def cypher_for(self, dialect: str) -> str:
        """The query as a store of ``dialect`` runs it: its ``// on DIALECT:`` lines read as Cypher.

        >>> body = "MATCH (n)\\n// on neo4j: WHERE n.id IS NOT NULL\\nRETURN n"
        >>> q = NamedQuery("q", "", "", (), ("n",), body, Path())
        >>> q.cypher_for("neo4j").splitlines()[1], q.cypher_for("ladybug") == q.cypher
        ('WHERE n.id IS NOT NULL', True)
        """
        lines = []
        for line in self.cypher.splitlines():
            match = _ON_DIALECT.match(line)
            lines.append(match["indent"] + match["cypher"] if match and match["dialect"] == dialect else line)
        return "\n".join(lines)


@cache
def list_queries() -> tuple[NamedQuery, ...]:
    """Every named query, sorted by name."""
    return tuple(_parse(path) for path in sorted(QUERY_DIR.glob("*.cypher")))


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; a :class:`QueryError` suggests the closest name if unknown."""
    for query in list_queries():
        if query.name == name:
            return query
    names = [q.name for q in list_queries()]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(names)}"
    raise QueryError(f"unknown query {name!r}{hint}")


def run_query(store: GraphStore, name: str, params: dict[str, Any] | None = None) -> QueryResult:
    """Run the named query on ``store`` with parameters given as text or values.

    Raises
    ------
    QueryError
        If the query or a parameter is unknown, a value does not resolve, or the engine fails.
    """
    query = get_query(name)
    return store.run_table(query.cypher_for(store.dialect), resolve_params(store, query, params or {}), query.returns)


def corpus_summary(store: GraphStore) -> dict[str, int]:
    """The corpus-summary query as a mapping: ``{"interviews": 4, "participants": 4, ...}``."""
    return {item: count for item, count in run_query(store, "corpus-summary").rows}


def resolve_params(store: GraphStore, query: NamedQuery, given: dict[str, Any]) -> dict[str, Any]:
    """Check ``given`` against the query's parameters, apply defaults, resolve entities."""
    known = {p.name: p for p in query.params}
    for key in given:
        if key not in known:
            expected = ", ".join(known) or "none"
            raise QueryError(f"{query.name}: unknown parameter {key!r} (expected: {expected})")
    out: dict[str, Any] = {}
    # the study first: a stage's name is looked up among that study's stages
    for param in sorted(query.params, key=lambda p: p.type != "STUDY"):
        value = given.get(param.name, param.default)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise QueryError(f"{query.name}: missing parameter {param.name!r} ({param.help})")
        out[param.name] = _convert(store, query, param, value, out.get("study", ""))
        if param.type == "PAGE":
            page = out[param.name]
            out[f"{param.name}_skip"] = max(page - 1, 0) * PAGE_SIZE
            out[f"{param.name}_size"] = PAGE_SIZE if page else ALL_ROWS
    return out


def _convert(store: GraphStore, query: NamedQuery, param: Param, value: Any, study: str = "") -> Any:
    if param.type == "INT":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise QueryError(f"{query.name}: {param.name} must be a whole number, not {value!r}") from None
    if param.type == "PAGE":
        return _page_number(query, param, value)
    if param.type == "STRING":
        return str(value)
    if param.type == "STUDY" and str(value).strip().casefold() == ALL_STUDIES:
        return ""
    if param.type == "ANYSTAGE":  # a reference stage by its exact id, else a study's stage
        references = store.run("MATCH (r:ReferenceStage) RETURN r.id AS id").rows
        if str(value).strip().casefold() in {ref for (ref,) in references}:
            return str(value).strip().casefold()
    cypher, kind = _LOOKUPS["STAGE" if param.type == "ANYSTAGE" else param.type]
    wanted = normalise_name(str(value))
    candidates = store.run(cypher).as_dicts()
    if study and kind != "study":
        candidates = [row for row in candidates if row["study"] == study]
    found = [row for row in candidates if wanted in {normalise_name(k) for k in _names(row) if k}]
    exact = [row for row in found if row["id"] == str(value).strip()]
    if exact or len({row.get("study") for row in found}) == 1 or (found and kind == "study"):
        return (exact or found)[0]["id"]
    if found:  # the same name in several studies' codebooks (or two studies' pseudonyms)
        studies = ", ".join(sorted({row["study"] for row in found}))
        raise QueryError(
            f"{query.name}: {kind} {value!r} is a {kind} of several studies ({studies}): "
            f"give its id ({', '.join(row['id'] for row in found)}) or a study"
        )
    names = [row.get("code") or row["name"] for row in candidates]
    close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise QueryError(f"{query.name}: no {kind} matches {value!r}{hint}")


def _names(row: dict[str, Any]) -> list[str]:
    """What a candidate entity answers to: its id, name, code and aliases."""
    return [row["id"], row["name"], row.get("code") or "", *(row.get("aliases") or [])]


def _page_number(query: NamedQuery, param: Param, value: Any) -> int:
    """A page number: a whole number from 1 on, or 0 for ``all``."""
    if isinstance(value, str) and value.strip().casefold() == ALL_PAGES:
        return 0
    try:
        page = int(value)
    except (TypeError, ValueError):
        page = 0
    if page < 1:
        raise QueryError(f"{query.name}: {param.name} must be a page number from 1 on, or {ALL_PAGES}, not {value!r}")
    return page


def _parse(path: Path) -> NamedQuery:
    header: dict[str, str] = {}
    params: list[Param] = []
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line) if not body else None
        if match:
            key, value = match.groups()
            if key == "param":
                p = _PARAM.match(value)
                if not p or p["type"] not in PARAM_TYPES:
                    raise QueryError(f"{path.name}: bad param line {value!r}")
                params.append(Param(p["name"], p["type"], p["default"], p["help"].strip()))
            else:
                header[key] = value.strip()
        elif line.strip() or body:
            on = _ON_DIALECT.match(line)
            if on and on["dialect"] not in DIALECTS:
                raise QueryError(f"{path.name}: unknown dialect {on['dialect']!r} (known: {', '.join(DIALECTS)})")
            body.append(line)
    for key in ("name", "title", "description", "returns"):
        if key not in header:
            raise QueryError(f"{path.name}: header is missing '// {key}:'")
    if header["name"] != path.stem:
        raise QueryError(f"{path.name}: name {header['name']!r} differs from the file name")
    return NamedQuery(
        header["name"],
        header["title"],
        header["description"],
        tuple(params),
        tuple(c.strip() for c in header["returns"].split(",")),
        "\n".join(body).strip(),
        path,
    )

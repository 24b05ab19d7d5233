"""Read one study of a store as a QDA project (:class:`~challenge_graph.graph.qda_project.QdaProject`).

Every read is a parameterised Cypher statement that both stores answer alike. A project holds
one study: two studies' interviews may share a title, which a QDA tool would not tell apart.
"""

from __future__ import annotations

import json
from collections import defaultdict

from challenge_graph.graph.errors import QueryError
from challenge_graph.graph.model import CODE_LABELS
from challenge_graph.graph.qda_project import (
    ProjectCase,
    ProjectCode,
    ProjectCoder,
    ProjectCoding,
    ProjectSource,
    ProjectTurn,
    QdaProject,
)
from challenge_graph.store.base import GraphStore

__all__ = ["read_project", "project_study"]

_STUDIES = "MATCH (i:Interview) RETURN DISTINCT i.study AS id ORDER BY id"
_STUDY_ROWS = "MATCH (s:Study) RETURN s.id AS id, s.title AS title ORDER BY id"
_INTERVIEWS = "MATCH (i:Interview) WHERE i.study = $study RETURN i.id AS id, i.title AS title ORDER BY i.title, i.id"
_TURNS = (
    "MATCH (e:Excerpt)-[:FROM]->(i:Interview) WHERE i.study = $study "
    "RETURN i.id AS interview, e.position AS position, e.speaker AS speaker, e.text AS text "
    "ORDER BY interview, position"
)
_CODINGS = (
    "MATCH (e:Excerpt)-[r:CODED_AS]->(c:{label}) MATCH (e)-[:FROM]->(i:Interview) WHERE i.study = $study "
    "RETURN i.id AS interview, e.position AS position, c.id AS code, r.coder AS coder "
    "ORDER BY interview, position, code, coder"
)
_CODES = (
    "MATCH (c:{label}) WHERE c.study = $study "
    "OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage) "
    "RETURN c.id AS id, c.code AS code, c.name AS name, c.kind AS kind, c.category AS category, "
    "c.description AS description, s.name AS stage, s.position AS stage_position ORDER BY id"
)
_ADDRESSES = (
    "MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge) WHERE f.study = $study "
    "RETURN f.id AS fix, c.id AS challenge ORDER BY fix, challenge"
)
_CODERS = (
    "MATCH (c:Coder)-[:CODED]->(i:Interview) WHERE i.study = $study "
    "RETURN DISTINCT c.name AS name, c.consensus AS consensus ORDER BY name"
)
_CASES = (
    "MATCH (p:Participant)-[:INTERVIEWED_IN]->(i:Interview) WHERE i.study = $study "
    "RETURN p.pseudonym AS pseudonym, p.attributes AS attributes, i.id AS interview ORDER BY pseudonym, interview"
)
_STAGES = "MATCH (s:Stage) WHERE s.study = $study RETURN s.name AS name, s.position AS position ORDER BY position, name"
_MATCHES = (
    "MATCH (a)-[m:MATCHES]->(b) WHERE a.study = $study OR b.study = $study "
    "RETURN a.study AS from_study, a.code AS from_code, m.relation AS relation, b.study AS to_study, "
    "b.code AS to_code, m.note AS note ORDER BY from_study, from_code, to_study, to_code"
)


def project_study(store: GraphStore, study: str | None) -> str:
    """The study to export: ``study`` (an id or title, any case) or the only one the store holds.

    Raises
    ------
    QueryError
        For an unknown study, or when the store holds several and ``study`` is None.
    """
    loaded = [row["id"] for row in store.run(_STUDIES).as_dicts()]
    if study is None:
        if len(loaded) == 1:
            return loaded[0]
        if not loaded:
            raise QueryError("the graph holds no interview: load some files first")
        raise QueryError(f"the graph holds several studies ({', '.join(loaded)}); a project holds one: give --study ID")
    wanted = study.strip().casefold()
    for row in store.run(_STUDY_ROWS).as_dicts():
        if wanted in {str(row["id"]).casefold(), str(row["title"] or "").casefold()} and row["id"] in loaded:
            return row["id"]
    raise QueryError(f"no study {study!r} with interviews in the graph (studies: {', '.join(loaded)})")


def read_project(store: GraphStore, study: str | None = None) -> QdaProject:
    """The interviews, codings, codes, coders and participants of one study of ``store``."""
    study = project_study(store, study)
    params = {"study": study}
    turns: dict[str, list[ProjectTurn]] = defaultdict(list)
    for row in store.run(_TURNS, params).as_dicts():
        turns[row["interview"]].append(ProjectTurn(int(row["position"]), row["speaker"] or "", row["text"] or ""))
    codings: dict[str, list[ProjectCoding]] = defaultdict(list)
    for label in CODE_LABELS:
        for row in store.run(_CODINGS.format(label=label), params).as_dicts():
            codings[row["interview"]].append(ProjectCoding(int(row["position"]), row["code"], row["coder"]))
    sources = tuple(
        ProjectSource(
            row["id"],
            row["title"],
            tuple(turns[row["id"]]),
            tuple(sorted(codings[row["id"]], key=lambda c: (c.position, c.code_id, c.coder))),
        )
        for row in store.run(_INTERVIEWS, params).as_dicts()
    )
    coders = tuple(ProjectCoder(row["name"], bool(row["consensus"])) for row in store.run(_CODERS, params).as_dicts())
    stages = tuple(row["name"] for row in store.run(_STAGES, params).as_dicts())
    matches = store.run(_MATCHES, params).as_dicts()
    notes = (("Crosswalk", _crosswalk_text(matches)),) if matches else ()
    left_out = (
        "protocols, tool mentions and stored counts (a load finds them again)",
        "page numbers of PDF sources (turns keep their text)",
    )
    return QdaProject(
        name=study,
        study=study,
        sources=sources,
        codes=_codes(store, params),
        coders=coders,
        cases=_cases(store, params),
        stages=stages,
        notes=notes,
        left_out=left_out + ((f"{len(matches)} crosswalk rows, kept as a note",) if matches else ()),
    )


def _codes(store: GraphStore, params: dict[str, str]) -> tuple[ProjectCode, ...]:
    addresses: dict[str, list[str]] = defaultdict(list)
    for row in store.run(_ADDRESSES, params).as_dicts():
        addresses[row["fix"]].append(row["challenge"])
    found: dict[str, ProjectCode] = {}
    stages: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for label in CODE_LABELS:
        for row in store.run(_CODES.format(label=label), params).as_dicts():
            if row["stage"]:
                stages[row["id"]].append((int(row["stage_position"] or 0), row["stage"]))
            found.setdefault(
                row["id"],
                ProjectCode(
                    row["id"],
                    row["code"] or row["id"],
                    row["name"] or row["code"] or row["id"],
                    row["kind"] or label.lower(),
                    row["category"] or "",
                    row["description"] or "",
                ),
            )
    return tuple(
        ProjectCode(
            code.id,
            code.code,
            code.name,
            code.kind,
            code.category,
            code.description,
            tuple(name for _, name in sorted(set(stages[code.id]))),
            tuple(addresses[code.id]),
        )
        for code in sorted(found.values(), key=lambda c: (c.category.casefold(), c.code.casefold(), c.id))
    )


def _cases(store: GraphStore, params: dict[str, str]) -> tuple[ProjectCase, ...]:
    attributes: dict[str, dict[str, str]] = {}
    interviews: dict[str, list[str]] = defaultdict(list)
    for row in store.run(_CASES, params).as_dicts():
        try:
            values = json.loads(row["attributes"]) if row["attributes"] else {}
        except (TypeError, ValueError):
            values = {}
        attributes.setdefault(row["pseudonym"], {str(k): str(v) for k, v in values.items()})
        interviews[row["pseudonym"]].append(row["interview"])
    return tuple(ProjectCase(name, attributes[name], tuple(interviews[name])) for name in sorted(attributes))


def _crosswalk_text(rows: list[dict]) -> str:
    """Accepted crosswalk rows touching the study, one per line, as ``crosswalk.yaml`` names them."""
    lines = []
    for row in rows:
        line = f"{row['from_study']}/{row['from_code']} {row['relation']} {row['to_study']}/{row['to_code']}"
        lines.append(line + (f" ({row['note']})" if row["note"] else ""))
    return "\n".join(lines)

"""The dashboard's access to the graph: one cached store per database, cached query results.

Results are cached per (database, graph version, query, parameters); the version is the
database file's stamp, so a load from the command line invalidates them without a restart.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from challenge_graph.export.csv_safe import csv_text
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.queries.network import neighbourhood
from challenge_graph.queries.runner import ALL_STUDIES, get_query, run_query
from challenge_graph.store.base import DEFAULT_TIMEOUT, GraphStore
from challenge_graph.store.ladybug_store import LadybugStore
from challenge_graph.store.sandbox import DEFAULT_MEMORY, QueryLimits, run_isolated

__all__ = [
    "db_path",
    "store",
    "version",
    "named",
    "entities",
    "network",
    "cypher",
    "csv_download",
    "console_limits",
    "codes",
    "unstaged",
    "busiest_stage",
    "top_challenge",
    "duplicates",
    "code_quotes",
    "compared_interviews",
    "addresses",
    "study_filter",
    "interview_studies",
    "STUDY_KEY",
    "NO_STAGE_KEY",
    "DEFAULT_DB",
    "DEFAULT_MAX_ROWS",
]

DEFAULT_DB = "challenge-graph.db"
DEFAULT_MAX_ROWS = 10_000  # rows the console shows and downloads at most


def db_path() -> str:
    """Which store: ``neo4j`` (``--neo4j`` after ``--`` on the streamlit command line), or the
    embedded database folder (``--db DIR``, default ./challenge-graph.db)."""
    if "db_path" not in st.session_state:
        args = sys.argv[1:]
        if "--neo4j" in args:
            st.session_state["db_path"] = "neo4j"
        else:
            chosen = args[args.index("--db") + 1] if "--db" in args[:-1] else DEFAULT_DB
            st.session_state["db_path"] = str(Path(chosen).resolve())
    return st.session_state["db_path"]


@st.cache_resource
def store(path: str) -> GraphStore:
    """One store per database, shared by every session (the embedded one opens read-only)."""
    if path == "neo4j":
        from challenge_graph.store.neo4j_store import Neo4jStore

        # the dashboard is started by `challenge-graph dashboard --neo4j`, which checked these
        return Neo4jStore.connect(
            os.environ["NEO4J_URI"],
            os.environ.get("NEO4J_USERNAME", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", ""),
            os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
    return LadybugStore(path)


def version(path: str) -> str:
    """Changes whenever a load swaps a new graph in."""
    return store(path).version()


@st.cache_data(show_spinner=False, max_entries=512)
def _named(path: str, stamp: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    result = run_query(store(path), name, dict(params))
    return pd.DataFrame(result.rows, columns=result.columns)


def summary() -> dict[str, int]:
    """Counts of the corpus-summary query by item (cached until the graph changes)."""
    frame = named("corpus-summary")
    return dict(zip(frame["item"], frame["count"]))


def named(name: str, **params: Any) -> pd.DataFrame:
    """Rows of a named query as a DataFrame (cached until the graph changes). A query that
    declares a study parameter, unless given one, gets the study chosen in the sidebar."""
    for param in get_query(name).params:
        if param.type == "STUDY" and param.name not in params:
            params[param.name] = study_filter()
    path = db_path()
    return _named(path, version(path), name, tuple(sorted(params.items())))


STUDY_KEY = "study"  # the sidebar's study filter (session state) and its ?study= parameter


def study_filter() -> str:
    """The study chosen in the sidebar (its id), or ``all``."""
    return st.session_state.get(STUDY_KEY) or ALL_STUDIES


@st.cache_data(show_spinner=False, max_entries=16)
def _interview_studies(path: str, stamp: str) -> dict[str, str]:
    rows = store(path).run("MATCH (i:Interview)-[:IN_STUDY]->(s:Study) RETURN i.id, s.id").rows
    return {str(i): str(s) for i, s in rows}


def interview_studies() -> dict[str, str]:
    """Interview id -> the id of its study (cached per graph)."""
    path = db_path()
    return _interview_studies(path, version(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _entities(path: str, stamp: str, kind: str) -> list[tuple[str, str]]:
    cypher_text = {
        "stage": "MATCH (s:Stage) RETURN s.name AS label, s.id AS key, s.study AS study ORDER BY s.study, s.position",
        "challenge": "MATCH (c:Challenge) RETURN c.name + ' (' + c.code + ')' AS label, c.code AS key, "
        "c.study AS study ORDER BY label",
        "participant": "MATCH (p:Participant) RETURN p.pseudonym AS label, p.id AS key, p.study AS study "
        "ORDER BY label",
    }[kind]
    rows = store(path).run(cypher_text).rows
    several = len({study for _, _, study in rows}) > 1  # labels say their study: two may share a name
    return [(f"{label} · {study}" if several else label, key) for label, key, study in rows]


def entities(kind: str) -> dict[str, str]:
    """Display label -> key of every stage, challenge or participant (cached per graph)."""
    path = db_path()
    return dict(_entities(path, version(path), kind))


@st.cache_data(show_spinner=False, max_entries=64)
def _network(path: str, stamp: str, centre: str, key: str | None):
    return neighbourhood(store(path), centre, key)


def network(centre: str, key: str | None = None):
    """The neighbourhood graph around ``key`` (cached per graph)."""
    path = db_path()
    return _network(path, version(path), centre, key)


CODE_KINDS = ("Challenge", "Fix", "Practice", "Question")
NO_STAGE_KEY = "none"  # ?stage=none: the codes at no stage
_CODES = """MATCH (c:{label}) OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN '{label}' AS kind, c.id AS id, c.code AS code, c.name AS name, c.category AS category,
       c.description AS description, c.known AS known, c.implied AS implied,
       s.name AS stage, s.id AS stage_id, c.participants AS participants, c.interviews AS interviews,
       c.quotes AS quotes, c.allQuotes AS all_quotes
ORDER BY code"""


@st.cache_data(show_spinner=False, max_entries=16)
def _codes(path: str, stamp: str) -> pd.DataFrame:
    frames = []
    for label in CODE_KINDS:
        result = store(path).run(_CODES.format(label=label))
        frames.append(pd.DataFrame(result.rows, columns=result.columns))
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("id")
    for column in ("stage", "stage_id", "category", "description"):
        frame[column] = frame[column].fillna("")
    for column in ("participants", "interviews", "quotes", "all_quotes"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["known"] = frame["known"].fillna(False).astype(bool)
    frame["implied"] = frame["implied"].fillna(False).astype(bool)
    return frame.reset_index(drop=True)


def codes() -> pd.DataFrame:
    """Every code (challenges, fixes, practices, protocol questions) with its kind, name,
    category, description, stage ("" for none) and evidence counts (cached per graph)."""
    path = db_path()
    return _codes(path, version(path))


def unstaged(kind: str = "Challenge") -> pd.DataFrame:
    """The codes of ``kind`` coded at no stage: they count among the challenges (tiles, top
    lists, networks) but stand in no cell of the stage-by-category map nor in the workflow."""
    frame = codes()
    return frame[(frame["kind"] == kind) & (frame["stage"] == "")].sort_values(
        ["participants", "quotes", "name"], ascending=[False, False, True]
    )


def busiest_stage() -> str:
    """The name of the stage with the most codes at it (then quotes): the pages open on it."""
    stages = named("stage-overview")
    if stages.empty:
        return ""
    codes_at = stages["challenges"] + stages["fixes"] + stages["practices"]
    ranked = stages.assign(_codes=codes_at).sort_values(
        ["_codes", "quotes", "position"], ascending=[False, False, True]
    )
    return str(ranked["stage"].iloc[0])


def top_challenge() -> str:
    """The code of the challenge reported by most participants (then quotes), or ""."""
    top = named("top-challenges", limit=1)
    return str(top["code"].iloc[0]) if len(top) else ""


_CODE_QUOTES = """MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:{label} {{code: $code}})
WHERE NOT r.coder IN ['auto', 'auto-semantic']
WITH DISTINCT e, p
MATCH (e)-[:FROM]->(i:Interview)
RETURN i.title AS interview, e.line AS line, e.page AS page, p.pseudonym AS speaker, e.text AS quote
ORDER BY i.id, e.position LIMIT $limit"""


@st.cache_data(show_spinner=False, max_entries=256)
def _code_quotes(path: str, stamp: str, code: str, label: str, limit: int) -> pd.DataFrame:
    result = store(path).run(_CODE_QUOTES.format(label=label), {"code": code, "limit": limit})
    return pd.DataFrame(result.rows, columns=result.columns)


def code_quotes(code: str, label: str = "Fix", limit: int = 3) -> pd.DataFrame:
    """The first ``limit`` participant quotes coded with a fix (or a code of ``label``) by a
    human coder: interview, line, page, speaker, quote (cached per graph)."""
    if label not in CODE_KINDS:
        raise ValueError(f"not a code kind: {label}")
    path = db_path()
    return _code_quotes(path, version(path), code, label, limit)


def compared_interviews() -> tuple[list[tuple[tuple, tuple, list[str]]], list[tuple[tuple, list[str]]]]:
    """Which interviews inter-coder agreement compares (two coders or more, machine coders left
    out), grouped by who coded them: ``(independent coders, consensus coders, titles)``; and the
    interviews with one coder: ``(coders, titles)``. Titles in natural order (Interview 9 before 10)."""
    from challenge_graph.graph.autocode import MACHINE_CODERS

    rows = named("coders")
    rows = rows[~rows["coder"].isin(MACHINE_CODERS)]
    compared: dict[tuple, list[str]] = {}
    alone: dict[tuple, list[str]] = {}
    for title, group in rows.groupby("title", sort=False):
        independent = tuple(sorted(group.loc[~group["consensus"].astype(bool), "coder"]))
        consensus = tuple(sorted(group.loc[group["consensus"].astype(bool), "coder"]))
        if len(group) >= 2:
            compared.setdefault((independent, consensus), []).append(str(title))
        else:
            alone.setdefault(independent + consensus, []).append(str(title))

    def natural(title: str) -> list:
        return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", title)]

    return (
        [(a, b, sorted(ts, key=natural)) for (a, b), ts in sorted(compared.items())],
        [(c, sorted(ts, key=natural)) for c, ts in sorted(alone.items())],
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _addresses(path: str, stamp: str) -> list[tuple[str, str]]:
    rows = store(path).run("MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge) RETURN f.code, c.code ORDER BY f.code").rows
    return [(str(f), str(c)) for f, c in rows]


def addresses() -> list[tuple[str, str]]:
    """(fix code, challenge code) of every fix and the challenge it addresses (cached per graph)."""
    path = db_path()
    return _addresses(path, version(path))


def duplicates(code: str | None = None) -> list[tuple[str, str, str]]:
    """Pairs of challenges whose names say they are likely the same (``code``'s only, if given):
    ``(code, other, why)``, as the load's check reports them."""
    from challenge_graph.graph.code_names import likely_duplicates

    frame = codes()
    frame = frame[frame["kind"] == "Challenge"]
    pairs = likely_duplicates(zip(frame["code"], frame["name"], frame["kind"]))
    if code is None:
        return pairs
    return [(a, b, why) if a == code else (b, a, why) for a, b, why in pairs if code in (a, b)]


def export_bytes(graph, suffix: str, layout: str, size: str, title: str, footer: str, with_quotes: bool) -> bytes:
    """The export of ``graph`` as the bytes of a file with ``suffix``."""
    import tempfile

    from challenge_graph.export.writer import export_graph
    from challenge_graph.queries.network import attach_quotes

    graph = graph.copy()
    if with_quotes:
        attach_quotes(store(db_path()), graph)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"export{suffix}"
        export_graph(graph, out, layout=layout, size=size, title=title, footer=footer)
        return out.read_bytes()


@st.cache_data(show_spinner=False, max_entries=32)
def _method(path: str, stamp: str, what: str, study: str | None = None):
    return _method_frames(store(path), what, study)


def _method_frames(graph_store: GraphStore, what: str, study: str | None = None):
    """The method analyses as frames, within ``study`` (each study in turn when None)."""
    from challenge_graph.queries.agreement import AgreementRow, PairRow, agreement
    from challenge_graph.queries.analysis import SaturationRow, cooccurrence, saturation

    if what == "agreement":
        table, pairs = agreement(graph_store, study=study)
        return _frame(table, AgreementRow), _frame(pairs, PairRow)
    if what == "saturation":
        return _frame(saturation(graph_store, study=study), SaturationRow)
    return pd.DataFrame(cooccurrence(graph_store, study=study), columns=["code_a", "code_b", "shared", "jaccard"])


def _frame(rows: list, row_type: type) -> pd.DataFrame:
    """Rows of a flat dataclass as a frame with its fields as columns (as ``asdict`` gives them,
    without its deep copies: a thousand rows took a tenth of a second)."""
    columns = [f.name for f in fields(row_type)]
    return pd.DataFrame([[getattr(r, c) for c in columns] for r in rows], columns=columns)


def method(what: str):
    """A method analysis (agreement, saturation, co-occurrence), cached per graph."""
    path = db_path()
    chosen = study_filter()
    return _method(path, version(path), what, None if chosen == ALL_STUDIES else chosen)


def console_limits() -> QueryLimits:
    """The console's limits: ``--query-timeout S``, ``--max-rows N`` and ``--max-memory BYTES``
    after ``--`` on the streamlit command line, else 30 s, 10,000 rows and 1 GB."""
    args = sys.argv[1:]

    def option(name: str, default: float, kind: type) -> Any:
        if name in args[:-1]:
            try:
                value = kind(args[args.index(name) + 1])
                if value > 0:
                    return value
            except ValueError:
                pass
        return default

    return QueryLimits(
        timeout=option("--query-timeout", DEFAULT_TIMEOUT, float),
        max_rows=option("--max-rows", DEFAULT_MAX_ROWS, int),
        memory=option("--max-memory", DEFAULT_MEMORY, int),
    )


def cypher(statement: str, params: dict[str, Any] | None = None) -> tuple[pd.DataFrame, bool]:
    """Run an analyst's Cypher (not cached: analysts expect a fresh run): allow-listed read
    clauses, in a process of its own within the console's limits (:mod:`store.sandbox`), so a
    query that crashes the engine or exhausts memory ends that process, never the dashboard.
    Returns the rows and whether the row cap cut some off."""
    result = run_isolated(store(db_path()), statement, params or {}, console_limits())
    return pd.DataFrame(result.rows, columns=result.columns), result.truncated


def csv_download(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text for a download, formula-like cells neutralised."""
    return csv_text(list(frame.columns), frame.itertuples(index=False, name=None))


def plain(text: object) -> str:
    r"""``text`` shown as written in a Streamlit message: Markdown and HTML characters escaped,
    control characters (a newline in a file name) shown as escapes, so a file name can neither
    format nor forge a message.

    >>> print(plain("**evil**.txt\nRejected 0: <b>"))
    \*\*evil\*\*.txt\\nRejected 0: &lt;b&gt;
    """
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\g<0>", text)


_MARKDOWN = re.compile(r"[\\`*_\[\]~$|#]")  # what formats inline, or opens a heading


def show_error(error: ChallengeGraphError) -> None:
    """A project error as a message, never a stack trace."""
    st.error(str(error))

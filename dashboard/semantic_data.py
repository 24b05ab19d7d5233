"""The dashboard's access to semantic search (the optional extra): cached per graph version."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from challenge_graph.dashboard import data

__all__ = ["search", "more_like", "quote", "has_vectors"]

COLUMNS = ["score", "speaker", "interview", "line", "page", "codes", "quote", "excerpt"]


@st.cache_resource(show_spinner="Loading the sentence model…")
def _encoder():
    from challenge_graph.semantic.load import encoder

    return encoder()


@st.cache_data(show_spinner=False, max_entries=128)
def _search(path: str, stamp: str, text: str, code: str | None, stage: str | None, limit: int) -> pd.DataFrame:
    from challenge_graph.semantic.search import search as run

    return _frame(run(data.store(path), _encoder(), text, limit, code, stage))


@st.cache_data(show_spinner=False, max_entries=128)
def _more_like(path: str, stamp: str, excerpt: str, code: str | None, stage: str | None, limit: int) -> pd.DataFrame:
    from challenge_graph.semantic.search import more_like as run

    return _frame(run(data.store(path), excerpt, limit, code, stage))


@st.cache_data(show_spinner=False, max_entries=16)
def _has_vectors(path: str, stamp: str) -> bool:
    from challenge_graph.semantic.vectors import has_vectors

    return has_vectors(data.store(path))


def has_vectors() -> bool:
    """True when the graph keeps excerpt vectors (loaded with --semantic)."""
    path = data.db_path()
    return _has_vectors(path, data.version(path))


def search(text: str, code: str | None = None, stage: str | None = None, limit: int = 10) -> pd.DataFrame:
    """Participant quotes nearest in meaning to ``text`` (cached until the graph changes)."""
    path = data.db_path()
    return _search(path, data.version(path), text, code, stage, limit)


def more_like(excerpt: str, code: str | None = None, stage: str | None = None, limit: int = 10) -> pd.DataFrame:
    """Quotes nearest to the stored quote ``excerpt`` (itself left out)."""
    path = data.db_path()
    return _more_like(path, data.version(path), excerpt, code, stage, limit)


def quote(excerpt: str) -> dict | None:
    """The stored quote ``excerpt``: speaker, interview, line, page, text."""
    rows = (
        data.store(data.db_path())
        .run(
            "MATCH (e:Excerpt {id: $id})-[:FROM]->(i:Interview) "
            "RETURN e.speaker AS speaker, i.title AS interview, e.line AS line, e.page AS page, e.text AS quote",
            {"id": excerpt},
        )
        .as_dicts()
    )
    return rows[0] if rows else None


def _frame(hits) -> pd.DataFrame:
    """Hits as rows; ``page`` 0 where the search gives none (a text file's turn, or a search
    from before hits carried their page)."""
    rows = [{"page": 0} | asdict(h) | {"codes": ", ".join(h.codes)} for h in hits]
    return pd.DataFrame(rows, columns=COLUMNS)

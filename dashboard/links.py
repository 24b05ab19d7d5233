"""Links between dashboard pages through query parameters (``?page=challenge&challenge=QM-robustness``),
so that any view can be bookmarked and shared."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st

__all__ = [
    "SLUGS",
    "url",
    "challenge_url",
    "challenge_link",
    "stage_url",
    "link",
    "open_page",
    "keep_page",
    "param",
    "set_param",
]

# page title -> the short name used in ?page=
SLUGS = {
    "Overview": "overview",
    "Workflow stages": "stages",
    "Challenge detail": "challenge",
    "Search by meaning": "search",
    "Network": "network",
    "Studies": "studies",
    "Method": "method",
    "Cypher console": "console",
    "Load data": "load",
}


def url(page: str, **params: str) -> str:
    """A relative link to ``page`` (a title or its short name) with parameters."""
    return "?" + urlencode({"page": SLUGS.get(page, page), **params})


def challenge_url(code: str) -> str:
    return url("challenge", challenge=code)


def stage_url(stage: str) -> str:
    """The Workflow stages page on ``stage`` (an id, or ``none``: the codes at no stage)."""
    return url("stages", stage=stage)


def link(text: str, address: str) -> str:
    """HTML of ``text`` linking to ``address``, opened in the same tab like every link of the
    dashboard (an address of the dashboard reloads it on that view)."""
    return f'<a href="{html.escape(address)}" target="_self">{html.escape(str(text))}</a>'


def challenge_link(name: str, code: str) -> str:
    """HTML of a challenge's name linking to its detail (same tab)."""
    return link(name, challenge_url(code))


def open_page(titles: list[str]) -> None:
    """On a session's first run, open the page that ``?page=`` names (before the radio exists)."""
    if "page" in st.session_state:
        return
    wanted = st.query_params.get("page", "")
    title = next((t for t in titles if wanted in (SLUGS.get(t), t)), None)
    if title:
        st.session_state["page"] = title


def keep_page(title: str) -> None:
    """Show the current page in the address bar; parameters of other pages are dropped."""
    if st.query_params.get("page") != SLUGS.get(title, title):
        st.query_params.clear()
        st.query_params["page"] = SLUGS.get(title, title)


def param(name: str) -> str:
    return st.query_params.get(name, "")


def set_param(name: str, value: str) -> None:
    if st.query_params.get(name) != value:
        st.query_params[name] = value

"""REFI-QDA: the coder of a coding is the user who made its selection (NVivo credits every
``Coding`` element to the user who exported or merged the project)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter

from challenge_graph.loaders.refi_qda import parse_qdpx

TEXT = "Interviewer: What went wrong?\n\nP1: The labels were late.\n\nP1: And the data was missing.\n"


def _qdpx(project: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", project)
        z.writestr("sources/p1.txt", TEXT)
    return out.getvalue()


def _selection(start: int, end: int, selection_user: str | None, coding_user: str) -> str:
    made_by = f' creatingUser="{selection_user}"' if selection_user else ""
    return (
        f'<PlainTextSelection guid="s{start}" startPosition="{start}" endPosition="{end}"{made_by}>'
        f'<Coding guid="k{start}" creatingUser="{coding_user}"><CodeRef targetGUID="c1"/></Coding>'
        "</PlainTextSelection>"
    )


def _project(selections: str) -> str:
    return (
        '<Project xmlns="urn:QDA-XML:project:1.0" origin="NVivo 12 Plus">'
        '<Users><User name="admin" guid="u1"/><User name="bea" guid="u2"/></Users>'
        '<CodeBook><Codes><Code name="late" guid="c1"/></Codes></CodeBook>'
        '<Sources><TextSource name="p1" plainTextPath="internal://p1.txt" guid="t1">'
        f"{selections}</TextSource></Sources></Project>"
    )


def test_the_coder_is_who_made_the_selection_then_who_made_the_coding():
    late, missing, labels = TEXT.index("late"), TEXT.index("missing"), TEXT.index("labels")
    project = _project(
        _selection(late, late + 4, "u2", "u1")  # made by bea, the Coding element credited to admin
        + _selection(missing, missing + 7, None, "u1")  # no selection user: the coding's
        + _selection(labels, labels + 6, "ghost", "u2")  # an unknown selection user: the coding's
        + _selection(0, 11, "ghost", "ghost")  # nobody known
    )
    [iv] = parse_qdpx(_qdpx(project), "coders.qdpx")
    assert [(iv.turns[c.positions[0]].text, c.coder) for c in iv.codings] == [
        ("The labels were late.", "bea"),
        ("And the data was missing.", "admin"),
        ("The labels were late.", "bea"),
        ("What went wrong?", "unknown"),
    ]
    assert Counter(c.coder for c in iv.codings) == {"bea": 2, "admin": 1, "unknown": 1}
    assert iv.coders == ("bea", "admin", "unknown")

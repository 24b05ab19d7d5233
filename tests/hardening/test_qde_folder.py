"""Hostile unpacked REFI-QDA projects (a ``.qde`` beside its ``sources/`` folder): text paths
and links that lead out of the project's folder are refused, and nothing outside is read."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders import load_paths
from challenge_graph.loaders.refi_qda import parse_qdpx

SECRET = "Interviewer: secret?\nP1: root:x:0:0:the secret line\n"
GOOD = "Interviewer: What happened?\nP1: Nothing much.\n"


def _project(path: str) -> str:
    return (
        '<Project xmlns="urn:QDA-XML:project:1.0"><Sources>'
        f'<TextSource name="p1" plainTextPath="{path}" guid="t1"/></Sources></Project>'
    )


def _folder(tmp_path, path: str):
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")  # beside the export, outside it
    folder = tmp_path / "exports" / "study"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "project.qde").write_text(_project(path), encoding="utf-8")
    return folder


def _nothing_secret_loaded(result) -> None:
    assert not any("secret" in t.text for _, r in result.records for t in getattr(r, "turns", ()))


@pytest.mark.parametrize(
    "path", ["internal://../../../secret.txt", "internal://..\\..\\..\\secret.txt", "internal://sub/../../x.txt"]
)
def test_a_text_path_climbing_out_of_the_sources_is_refused(tmp_path, path):
    folder = _folder(tmp_path, path)
    for given in (folder, folder / "project.qde"):
        result = load_paths([given])
        [error] = result.rejected
        assert (
            str(error)
            == f"{folder / 'project.qde'}: text source file {path!r} lies outside the project's sources: refused"
        )
        _nothing_secret_loaded(result)


def test_the_archive_form_refuses_the_same_path():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", _project("internal://../secret.txt"))
        z.writestr("secret.txt", SECRET)
    with pytest.raises(LoaderError, match=r"lies outside the project's sources: refused"):
        parse_qdpx(out.getvalue(), "slip.qdpx")


def test_an_absolute_text_path_is_looked_for_inside_the_sources_only(tmp_path):
    folder = _folder(tmp_path, f"internal://{tmp_path / 'secret.txt'}")
    result = load_paths([folder])
    [error] = result.rejected
    assert "is not in the sources folder beside the .qde" in str(error)
    _nothing_secret_loaded(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_text_that_links_outside_the_project_folder_is_refused(tmp_path):
    folder = _folder(tmp_path, "internal://link.txt")
    (folder / "sources" / "link.txt").symlink_to(tmp_path / "secret.txt")
    result = load_paths([folder])
    [error] = result.rejected
    assert str(error) == f"{folder / 'project.qde'}: sources/link.txt links outside the project's folder: refused"
    _nothing_secret_loaded(result)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_sources_folder_that_links_elsewhere_is_refused(tmp_path):
    folder = _folder(tmp_path, "internal://secret.txt")
    (folder / "sources" / "good.txt").unlink()
    (folder / "sources").rmdir()
    (folder / "sources").symlink_to(tmp_path, target_is_directory=True)
    result = load_paths([folder])
    [error] = result.rejected
    assert str(error) == f"{folder / 'project.qde'}: sources/ links outside the project's folder: refused"
    _nothing_secret_loaded(result)

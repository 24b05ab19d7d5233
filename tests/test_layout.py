"""The house: each import name is its file (challenge_graph.<room>.<module> = <room>/<module>.py),
dependencies point one way, and no module passes 500 lines (CONTRIBUTING.md)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import challenge_graph
from tests.conftest import ROOT

ROOMS = ("graph", "loaders", "store", "queries", "export", "semantic", "pipeline", "dashboard", "cli")
# what each room may import besides itself: the model first, the composers last
MAY_IMPORT = {
    "graph": set(),
    "loaders": {"graph"},
    "store": {"graph"},
    "queries": {"graph", "store"},
    "export": {"graph"},
    "semantic": {"graph", "store", "loaders"},  # suggestions are written as codings files
    "pipeline": {"graph", "loaders", "store", "semantic"},
    "dashboard": {"graph", "loaders", "store", "queries", "export", "semantic", "pipeline"},
    "cli": {"graph", "loaders", "store", "queries", "export", "semantic", "pipeline"},
}
MAX_LINES = 500


def _modules():
    for room in ROOMS:
        package = importlib.import_module(f"challenge_graph.{room}")
        yield package.__name__, room
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            yield info.name, room


def _file_of(name: str) -> Path:
    """Where the rule says ``name`` lives."""
    parts = name.split(".")[1:]
    folder = ROOT.joinpath(*parts)
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


@pytest.mark.parametrize(("name", "room"), list(_modules()))
def test_an_import_name_is_its_file(name, room):
    spec = importlib.util.find_spec(name)
    assert Path(spec.origin).resolve() == _file_of(name).resolve(), name


@pytest.mark.parametrize(("name", "room"), list(_modules()))
def test_dependencies_point_one_way(name, room):
    tree = ast.parse(_file_of(name).read_text(encoding="utf-8"))
    imported = {
        node.module.split(".")[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("challenge_graph.")
    }
    wrong = imported - MAY_IMPORT[room] - {room}
    assert not wrong, f"{name} imports {sorted(wrong)}: a {room} module may import only {sorted(MAY_IMPORT[room])}"


def test_no_module_passes_500_lines():
    files = [p for room in (*ROOMS, "challenge_graph", "benchmarks") for p in (ROOT / room).rglob("*.py")]
    long = {
        str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_the_namespace_holds_only_the_rooms():
    assert challenge_graph.__path__  # the package itself: __init__ and __main__
    assert sorted(p.name for p in Path(challenge_graph.__path__[0]).glob("*.py")) == ["__init__.py", "__main__.py"]

"""The documentation is checked like code: the command reference is what the commands print,
every ```console example runs and prints what the page shows, and the site builds strictly."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from tests.conftest import EXAMPLES, ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]
PROMPT = "$ "
ELLIPSIS = "..."


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_reference", DOCS / "gen_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the command reference ------------------------------------------------------------------


def test_cli_reference_is_current():
    generator = _generator()
    assert generator.CLI_MD.read_text(encoding="utf-8") == generator.render(), (
        "docs/cli.md is not what the commands' --help says now: run python3 docs/gen_cli_reference.py"
    )


def test_cli_reference_names_every_command():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## challenge-graph {name}\n" in text


# --- the console examples -------------------------------------------------------------------


def console_blocks(page: Path) -> list[tuple[int, str]]:
    """The ```console blocks of a page: (line number of the fence, the block's text)."""
    blocks, lines = [], page.read_text(encoding="utf-8").splitlines()
    start = None
    for number, line in enumerate(lines, 1):
        if start is None and line.strip() == "```console":
            start, body = number, []
        elif start is not None and line.strip() == "```":
            blocks.append((start, "\n".join(body)))
            start = None
        elif start is not None:
            body.append(line)
    assert start is None, f"{page.name}:{start}: a ```console block is never closed"
    return blocks


def commands(block: str) -> list[tuple[str, list[str]]]:
    """A block's ``$ command`` lines, each with the lines it prints (up to the next ``$`` line)."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith(PROMPT):
            steps.append((line[len(PROMPT) :], []))
        else:
            assert steps, f"output before any {PROMPT!r} line: {line!r}"
            steps[-1][1].append(line)
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` is ``expected``, where a line ``...`` stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == ELLIPSIS:
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and matches(expected[1:], actual[1:])


def _trimmed(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def test_ellipsis_matching():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert matches(["...", "c"], ["a", "b", "c"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["a"], ["a", "b"])


DOCUMENTED = [(page, line, block) for page in PAGES for line, block in console_blocks(page)]


def test_the_pages_have_console_examples():
    assert {page.name for page, _, _ in DOCUMENTED} >= {"README.md", "getting-started.md"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder holding a copy of the examples, as a clone of the repository does."""
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize("page", sorted({page for page, _, _ in DOCUMENTED}), ids=lambda p: p.name)
def test_console_examples_print_what_the_page_shows(page, folder, tmp_path, monkeypatch):
    """Each page's console blocks run in order, in a fresh folder with a copy of examples/ and
    an empty database (the relative path challenge-graph.db, as printed): the output, stdout
    and stderr as a terminal shows them, must be what the page shows (trailing spaces aside;
    a line ``...`` stands for any number of lines). Exit code 0, or 2 for a partial load."""
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("CHALLENGE_GRAPH_DB", "challenge-graph.db")
    monkeypatch.delenv("CHALLENGE_GRAPH_QUERY_TIMEOUT", raising=False)
    runner = CliRunner()
    for line, block in console_blocks(page):
        for command, expected in commands(block):
            where = f"{page.name}:{line}: $ {command}"
            words = shlex.split(command)
            assert words[0] == "challenge-graph", f"{where}: console blocks run challenge-graph commands only"
            result = runner.invoke(cli, words[1:], prog_name="challenge-graph")
            assert result.exit_code in (0, 2), f"{where}: exit code {result.exit_code}\n{result.output}"
            actual = _trimmed(result.output.splitlines())
            assert matches(_trimmed(expected), actual), (
                f"{where}: the page shows\n" + "\n".join(expected) + "\nbut the command printed\n" + "\n".join(actual)
            )


# --- the site -------------------------------------------------------------------------------


def test_site_builds_strictly(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed: python3 -m pip install -e '.[test]' installs it")
    if importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs-material is not installed: python3 -m pip install -e '.[test]' installs it")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").exists()


def test_every_page_is_in_the_nav():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"([\w-]+\.md)\s*$", config, re.MULTILINE))
    assert listed == {page.name for page in DOCS.glob("*.md")}


def at_root(text: str) -> str:
    """A site page's text as the repository's root holds it: links to pages point into docs/."""
    pages = {page.name for page in DOCS.glob("*.md")}
    return re.sub(r"\]\(([\w-]+\.md)", lambda m: f"](docs/{m[1]}" if m[1] in pages else m[0], text)


@pytest.mark.parametrize("root, page", [("CHANGELOG.md", "changelog.md"), ("CONTRIBUTING.md", "contributing.md")])
def test_root_copies_equal_the_site_pages(root, page):
    """CHANGELOG.md and CONTRIBUTING.md are the site's changelog and contributing pages, their
    links pointing into docs/."""
    expected = at_root((DOCS / page).read_text(encoding="utf-8"))
    assert (ROOT / root).read_text(encoding="utf-8") == expected, f"{root} differs from docs/{page}: copy it over"


def test_paths_named_in_the_docs_exist():
    """Every repository path the pages name in backticks (`store/cypher_guard.py`) exists."""
    rooms = ("graph", "loaders", "pipeline", "store", "queries", "export", "semantic", "dashboard", "cli")
    rooms += ("codebooks", "examples", "tests", "benchmarks", "docs", ".ci")
    alternatives = "|".join(re.escape(room) for room in rooms)
    pattern = re.compile(rf"`((?:{alternatives})/[\w./-]*)`")
    missing = []
    for page in [*PAGES, ROOT / "CONTRIBUTING.md"]:
        for path in pattern.findall(page.read_text(encoding="utf-8")):
            if "*" not in path and not (ROOT / path).exists():
                missing.append(f"{page.name}: {path}")
    assert not missing, "paths named in the docs that do not exist:\n" + "\n".join(missing)

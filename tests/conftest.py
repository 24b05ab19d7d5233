"""Shared fixtures: the example corpus, a loaded sample store, cheap empty stores, and the Neo4j
test server (``python tests/neo4j_server.py start`` prints the variables these read)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from challenge_graph.graph.codebook import load_codebook
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.store.ladybug_store import LadybugStore

# the atheris script runs on its own (python tests/fuzz/fuzz_loaders.py), never under pytest
collect_ignore = ["fuzz"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# the seed documents, as copied into examples/
# the two example studies (folders with a study.yaml: their files' ids start with the study's id)
JIANG = EXAMPLES / "jiang-2024"
COTE = EXAMPLES / "cote-2024"
LEADER_4 = JIANG / "transcripts" / "reengineering-leader-4.txt"  # seed 000
ENGINEER_2 = JIANG / "transcripts" / "reengineering-engineer-2.txt"  # seed 001
PROTOCOL = JIANG / "protocols" / "cv-reengineering-leader-protocol.txt"  # seed 002
INTERVIEW_35 = COTE / "delve" / "interview-35-ilan.txt"  # seed 003
INTERVIEW_38 = COTE / "delve" / "interview-38-amin.txt"  # seed 004


# parts of the suite by what they need, so each can be run alone: python3 -m pytest -m neo4j
MARKERS = {
    "neo4j": "needs a Neo4j server (the neo4j_env fixture)",
    "browser": "drives the real dashboard in headless Chromium (tests/dashboard/test_browser*.py)",
    "semantic": "needs the semantic extra (tests/semantic/, the search page)",
}


def pytest_configure(config):
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if "neo4j_env" in getattr(item, "fixturenames", ()):
            item.add_marker("neo4j")
        if path.name.startswith("test_browser"):
            item.add_marker("browser")
        if "semantic" in path.parts or "search" in path.name or "semantic_store" in getattr(item, "fixturenames", ()):
            item.add_marker("semantic")


def _note_skipped(report) -> None:
    """With CHALLENGE_GRAPH_SKIPPED_OUT set, append each skipped test (or module) to that file:
    .ci/run's live run takes up exactly what the newcomer's run skipped."""
    out = os.environ.get("CHALLENGE_GRAPH_SKIPPED_OUT")
    if out and report.skipped:
        with open(out, "a", encoding="utf-8") as f:
            f.write(report.nodeid + "\n")


def pytest_runtest_logreport(report):
    if report.when in ("setup", "call"):
        _note_skipped(report)


def pytest_collectreport(report):
    _note_skipped(report)


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


def one_study_copy(dest: Path) -> Path:
    """A copy of the example corpus at ``dest`` without its study files (study.yaml, the studies'
    codebooks, the crosswalk): one default study read with the bundled codebook, the corpus a
    single-study user has."""
    shutil.copytree(EXAMPLES, dest, ignore=shutil.ignore_patterns("study.yaml", "codebook.yaml", "crosswalk.yaml"))
    return dest


@pytest.fixture(scope="session")
def one_study(tmp_path_factory) -> Path:
    """The example corpus as one study (see :func:`one_study_copy`)."""
    return one_study_copy(tmp_path_factory.mktemp("one-study") / "examples")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, one_study):
    """The example corpus as one study, loaded once into an embedded store (read-only use)."""
    store = LadybugStore(tmp_path_factory.mktemp("sample") / "db")
    report = ingest(store, [one_study])
    assert not report.rejected
    yield store
    store.close()


@pytest.fixture(scope="session")
def studies_store(tmp_path_factory):
    """The example corpus as it ships, two studies and a crosswalk, loaded once (read-only use)."""
    store = LadybugStore(tmp_path_factory.mktemp("studies") / "db")
    report = ingest(store, [EXAMPLES])
    assert not report.rejected
    yield store
    store.close()


@pytest.fixture(scope="session")
def delve_store(tmp_path_factory):
    """The Delve PDFs of tests/fixtures/delve-pdf (a real study: three interviews, each coded by
    three coders) loaded once into an embedded store (read-only use)."""
    store = LadybugStore(tmp_path_factory.mktemp("delve") / "db")
    assert not ingest(store, [FIXTURES / "delve-pdf"]).rejected
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path):
    store = LadybugStore(tmp_path / "db")
    yield store
    store.close()


# --- Neo4j ----------------------------------------------------------------------------------
NEO4J_VARIABLES = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


@pytest.fixture(scope="session")
def neo4j_env():
    """The Neo4j server's variables. Without NEO4J_URI the Neo4j tests skip, unless
    REQUIRE_NEO4J is set (CI sets it): then they fail, so none is ever skipped there."""
    if not os.environ.get("NEO4J_URI"):
        message = (
            "NEO4J_URI is not set: start the test server (docs/contributing.md, 'The Neo4j tests'): "
            "python3 tests/neo4j_server.py start > neo4j.env && set -a && . ./neo4j.env && set +a"
        )
        if os.environ.get("REQUIRE_NEO4J"):
            pytest.fail(message + " (REQUIRE_NEO4J is set)")
        pytest.skip(message)
    defaults = {"NEO4J_USERNAME": "neo4j", "NEO4J_DATABASE": "neo4j", "NEO4J_PASSWORD": ""}
    return {name: os.environ.get(name, defaults.get(name, "")) for name in NEO4J_VARIABLES}


def connect_neo4j(env, **options):
    from challenge_graph.store.neo4j_store import Neo4jStore

    return Neo4jStore.connect(
        env["NEO4J_URI"], env["NEO4J_USERNAME"], env["NEO4J_PASSWORD"], env["NEO4J_DATABASE"], **options
    )


@pytest.fixture(scope="session")
def neo4j_store(neo4j_env):
    """A store on the Neo4j server (one database that every Neo4j test shares, one at a time)."""
    store = connect_neo4j(neo4j_env)
    yield store
    store.close()


_NEO4J_LOADED: dict[str, str] = {}  # what the shared database holds, by its version stamp


@pytest.fixture
def neo4j_examples(neo4j_store, one_study):
    """The Neo4j store holding exactly what sample_store holds, the example corpus as one study
    (re-loaded when a test changed it)."""
    if _NEO4J_LOADED.get("examples") != neo4j_store.version():
        report = ingest(neo4j_store, [one_study], replace=True)
        assert not report.rejected
        _NEO4J_LOADED["examples"] = neo4j_store.version()
    return neo4j_store


@pytest.fixture
def unused_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

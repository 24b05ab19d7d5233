"""Loads spread over processes (graph/workers.py): the same graph, the same report and the same
errors as a load in one process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import types

import pytest

from challenge_graph.graph.codebook import default_codebook_path
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.pipeline import workers as workers_module
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.pipeline.workers import (
    WORKERS_ENV,
    map_in_processes,
    release_shared_workers,
    shared_workers,
    worker_count,
)
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES, FIXTURES
from tests.pipeline.test_incremental import _dump


def _pid_of(offset, item):
    return item + offset, os.getpid()


def _fails_on_three(_, item):
    if item == 3:
        raise ValueError(f"item {item} is bad")
    return item


def test_work_is_done_in_other_processes_and_comes_back_in_order(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "2")
    results = list(map_in_processes(_pid_of, 100, range(50)))
    assert [value for value, _ in results] == list(range(100, 150))
    assert os.getpid() not in {pid for _, pid in results}


def test_workers_never_run_the_main_module_again(tmp_path, monkeypatch):
    """As in the dashboard, where Streamlit installs the app as the main module."""
    marker = tmp_path / "ran"
    app = tmp_path / "app.py"
    app.write_text(f"open({str(marker)!r}, 'a').write('ran\\n')\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(app)
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert [value for value, _ in map_in_processes(_pid_of, 0, range(4))] == [0, 1, 2, 3]
    assert sys.modules["__main__"] is main
    assert not marker.exists()


def test_without_process_support_the_work_is_done_here(monkeypatch):
    def no_semaphores(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # what a sandbox without /dev/shm raises

    monkeypatch.setattr(workers_module, "ProcessPoolExecutor", no_semaphores)
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert list(map_in_processes(_pid_of, 1, range(3))) == [(1, os.getpid()), (2, os.getpid()), (3, os.getpid())]


def test_an_error_in_a_worker_is_raised_in_the_caller(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "2")
    with pytest.raises(ValueError, match="item 3 is bad"):
        list(map_in_processes(_fails_on_three, None, range(6)))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:  # a child not reaped yet is a zombie
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _wait_until_gone(pids):
    for _ in range(100):
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def test_the_steps_of_one_block_share_their_processes(monkeypatch):
    """A load parses, then builds: the second step uses the processes the first started, even
    after an item of the first failed, and they end with the block."""
    monkeypatch.setenv(WORKERS_ENV, "2")
    with shared_workers():
        with pytest.raises(ValueError, match="item 3 is bad"):
            list(map_in_processes(_fails_on_three, None, range(6)))
        first = {pid for _, pid in map_in_processes(_pid_of, 0, range(40))}
        second = {pid for _, pid in map_in_processes(_pid_of, 0, range(40))}
        assert len(first | second) <= 2 and os.getpid() not in first  # two processes in all
    assert _wait_until_gone(first | second)


def test_a_later_step_that_can_use_more_processes_gets_them(monkeypatch):
    with shared_workers():
        monkeypatch.setenv(WORKERS_ENV, "1")
        assert {pid for _, pid in map_in_processes(_pid_of, 0, range(4))} == {os.getpid()}
        monkeypatch.setenv(WORKERS_ENV, "2")
        two = {pid for _, pid in map_in_processes(_pid_of, 0, range(40))}
        monkeypatch.setenv(WORKERS_ENV, "3")
        three = {pid for _, pid in map_in_processes(_pid_of, 0, range(60))}
        assert len(two) <= 2 and 2 <= len(three) <= 3 and not two & three  # a pool of three replaced two
        assert _wait_until_gone(two)
        release_shared_workers()  # a load's last step that needs them is done
        assert _wait_until_gone(three)
        assert {pid for _, pid in map_in_processes(_pid_of, 0, range(40))} - three  # new ones, on demand


def test_a_process_that_died_between_steps_is_said_plainly(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "2")
    with shared_workers():
        pids = {pid for _, pid in map_in_processes(_pid_of, 0, range(40))}
        os.kill(next(iter(pids)), signal.SIGKILL)  # the out-of-memory killer, while the load folds results in
        time.sleep(0.5)
        with pytest.raises(ChallengeGraphError, match=f"worker process of this load stopped.*{WORKERS_ENV}=1"):
            list(map_in_processes(_pid_of, 0, range(40)))
        again = {pid for _, pid in map_in_processes(_pid_of, 0, range(40))}  # the next step starts afresh
        assert again and not again & pids


def test_worker_setting(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert worker_count(100) == 3 and worker_count(2) == 2
    monkeypatch.delenv(WORKERS_ENV)
    assert worker_count(1) == 1  # one item never starts a process
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(WORKERS_ENV, bad)
        with pytest.raises(ChallengeGraphError, match=f"{WORKERS_ENV} must be a whole number"):
            worker_count(10)


@pytest.fixture
def corpus(tmp_path):
    """The examples, the sample Delve PDFs and a codings file that cannot be read."""
    folder = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, folder / "examples")
    shutil.copytree(FIXTURES / "delve-pdf", folder / "pdfs")
    (folder / "broken.codings.yaml").write_text("transcript: x.txt\ncodings:\n  - quote: [unclosed\n", encoding="utf-8")
    return folder


def _load(tmp_path, corpus, name, workers, monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, workers)
    store = LadybugStore(tmp_path / name)
    report = ingest(store, [corpus])
    return store, report


def test_a_load_over_processes_equals_a_load_in_one(tmp_path, corpus, monkeypatch):
    one, one_report = _load(tmp_path, corpus, "one", "1", monkeypatch)
    many, many_report = _load(tmp_path, corpus, "many", "3", monkeypatch)
    # the broken file is named with its line, the other files load
    assert [str(e) for e in many_report.rejected] == [str(e) for e in one_report.rejected]
    assert len(many_report.rejected) == 1 and many_report.rejected[0].path.endswith("broken.codings.yaml")
    assert many_report.rejected[0].line
    assert many_report.notes == one_report.notes and many_report.counts == one_report.counts
    assert _dump(many) == _dump(one)
    assert many.run("MATCH (i:Interview) RETURN count(i)").rows[0][0] > 3


def test_stored_copies_are_parsed_again_over_processes(tmp_path, corpus, monkeypatch):
    (corpus / "broken.codings.yaml").unlink()
    store, _ = _load(tmp_path, corpus, "store", "1", monkeypatch)
    store.kept_file().unlink()  # every stored copy must be read and parsed again
    codebook = tmp_path / "codebook.yaml"
    text = default_codebook_path().read_text(encoding="utf-8")
    codebook.write_text(text.replace("\nname: ml-engineering\n", "\nname: our-study\n"), encoding="utf-8")
    monkeypatch.setenv(WORKERS_ENV, "3")
    report = ingest(store, [], codebook_path=codebook)
    assert not report.rejected and report.written
    monkeypatch.setenv(WORKERS_ENV, "1")
    full = LadybugStore(tmp_path / "full")
    ingest(full, [corpus], codebook_path=codebook)
    assert _dump(store) == _dump(full)


def test_a_script_without_a_main_guard_loads(tmp_path, corpus):
    """Spawned processes would run the caller's script again (and, in the dashboard, the app):
    workers start from an empty main module instead."""
    script = tmp_path / "load_it.py"
    script.write_text(
        "import os\n"
        "from challenge_graph.store.ladybug_store import LadybugStore\n"
        "from challenge_graph.pipeline.ingest import ingest\n"
        "print('script run by', os.getpid())\n"
        f"ingest(LadybugStore({str(tmp_path / 'db')!r}), [{str(corpus / 'examples')!r}])\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env={**os.environ, WORKERS_ENV: "2"}
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("script run by") == 1  # by the caller alone
    one = LadybugStore(tmp_path / "one")
    ingest(one, [corpus / "examples"])
    assert _dump(LadybugStore(tmp_path / "db")) == _dump(one)

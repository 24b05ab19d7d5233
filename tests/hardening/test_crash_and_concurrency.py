"""Kill a load at several points: the store holds the previous graph or the new one, never a
mix, and a re-run completes. Readers keep answering while a load runs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import pytest

from benchmarks.generate import generate_corpus
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.runner import corpus_summary
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES

KILL_AFTER = (0.3, 0.8, 1.4, 2.0, 2.8)  # seconds into the load


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    generate_corpus(folder / "corpus", 60, seed=2)
    return folder


def _summary(path):
    store = LadybugStore(path)
    try:
        return corpus_summary(store)
    finally:
        store.close()


def _load(db, *paths):
    return subprocess.Popen(
        [sys.executable, "-m", "challenge_graph", "load", *map(str, paths), "--db", str(db), "-s"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_leaves_old_or_new_graph_and_a_rerun_completes(corpus, tmp_path):
    expected_new = tmp_path / "reference"
    ingest(LadybugStore(expected_new), [EXAMPLES, corpus / "corpus"])
    new = _summary(expected_new)
    db = tmp_path / "db"
    ingest(LadybugStore(db), [EXAMPLES])
    old = _summary(db)
    outcomes = []
    for delay in KILL_AFTER:
        process = _load(db, corpus / "corpus")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _summary(db)
        assert now in (old, new), f"a mix after a kill at {delay} s"
        outcomes.append("new" if now == new else "old")
        if now == new:  # start again from the old graph for the next kill point
            ingest(LadybugStore(db), [EXAMPLES], replace=True)
    assert "old" in outcomes  # at least one kill landed mid-load
    finished = _load(db, corpus / "corpus")
    assert finished.wait(timeout=300) == 0
    assert _summary(db) == new


def test_readers_answer_during_a_load_and_see_the_new_graph_after(corpus, tmp_path):
    db = tmp_path / "db"
    ingest(LadybugStore(db), [EXAMPLES])
    reader = LadybugStore(db)
    before = corpus_summary(reader)
    latencies, errors, stop = [], [], threading.Event()

    def read():
        while not stop.is_set():
            start = time.perf_counter()
            try:
                corpus_summary(reader)
            except Exception as e:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(e)
            latencies.append(time.perf_counter() - start)

    thread = threading.Thread(target=read)
    thread.start()
    process = _load(db, corpus / "corpus")
    lock = db / ".lock"
    deadline = time.time() + 60
    while not (lock.exists() and lock.read_text().strip()):
        assert time.time() < deadline and process.poll() is None, "the load never took the lock"
        time.sleep(0.02)  # wait until the load holds the lock
    process.send_signal(signal.SIGSTOP)  # holding it until the second load has tried, however slow it starts
    try:
        busy = subprocess.run(
            [sys.executable, "-m", "challenge_graph", "load", str(EXAMPLES), "--db", str(db)],
            capture_output=True,
            text=True,
        )
    finally:
        process.send_signal(signal.SIGCONT)
    assert process.wait(timeout=300) == 0
    stop.set()
    thread.join()
    assert not errors and latencies
    assert busy.returncode == 1 and "store is busy: another load (PID" in busy.stderr
    reference = tmp_path / "reference"
    ingest(LadybugStore(reference), [EXAMPLES, corpus / "corpus"])
    assert corpus_summary(reader) == _summary(reference) != before  # the new graph, no restart needed
    reader.close()
    print(f"reads during the load: {len(latencies)}, slowest {max(latencies) * 1000:.0f} ms")

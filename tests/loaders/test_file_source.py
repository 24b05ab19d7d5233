"""Files found on disk are read where they are used, never held by a load, and checked each time."""

from __future__ import annotations

import hashlib
import pickle
import shutil

from challenge_graph.graph.model import SourceFile
from challenge_graph.loaders import read_sources
from challenge_graph.loaders.file_source import FileSource
from challenge_graph.pipeline import ingest as pipeline
from challenge_graph.store.ladybug_store import LadybugStore
from tests.conftest import EXAMPLES


def test_a_found_file_is_named_and_digested_but_its_bytes_are_not_held(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Interviewer: hello\nSpeaker 1: hi\n" * 500)
    (source,), errors, _ = read_sources([tmp_path])
    assert errors == [] and isinstance(source, FileSource)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.data == path.read_bytes()
    assert "data" not in vars(source) and len(pickle.dumps(source)) < path.stat().st_size // 10  # to a worker
    assert source == SourceFile(source.name, path.read_bytes(), source.origin)  # the same file, held or not
    moved = source.renamed("moderation/notes.txt")
    assert (moved.name, moved.sha256, moved.data) == ("moderation/notes.txt", source.sha256, path.read_bytes())


def test_a_file_changed_after_it_was_found_is_refused_by_name_and_the_others_load(tmp_path, monkeypatch):
    folder = tmp_path / "delve"
    shutil.copytree(EXAMPLES / "cote-2024" / "delve", folder)
    victim = sorted(folder.glob("*.txt"))[0]
    real = pipeline.read_sources

    def then_edited(paths):
        found = real(paths)
        victim.write_text(victim.read_text(encoding="utf-8") + "\nInterviewer: one line more\n", encoding="utf-8")
        return found

    monkeypatch.setattr(pipeline, "read_sources", then_edited)
    report = pipeline.ingest(LadybugStore(tmp_path / "store"), [folder])
    assert [(str(e.path), e.reason) for e in report.rejected] == [
        (str(victim), "the file changed while it was being loaded: load it again")
    ]
    assert sorted(report.loaded) == sorted(p.name for p in folder.glob("*.txt") if p != victim)

"""``python -m benchmarks --generate-only DIR N``: the corpus, and nothing measured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from challenge_graph.pipeline.ingest import check, read_codebook

ROOT = Path(__file__).resolve().parents[2]


def _generate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_generate_only_writes_the_corpus_of_n_interviews_and_measures_nothing(tmp_path):
    out = tmp_path / "corpus"
    done = _generate("--generate-only", str(out), "7", "--out", str(tmp_path / "results.json"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = sorted(p for p in out.rglob("*") if p.is_file())
    # counted on disk: one Delve file per coder of an even interview (interviews 0 and 5 of
    # every ten have two coders, and 5 is odd), a transcript and its codings file for an odd one
    delve = [p for p in files if re.fullmatch(r"interview-\d{5}-[a-z]+\.txt", p.name)]
    plain = [p for p in files if re.fullmatch(r"transcript-\d{5}\.txt", p.name)]
    codings = [p for p in files if re.fullmatch(r"transcript-\d{5}\.codings\.yaml", p.name)]
    assert (len(delve), len(plain), len(codings), len(files)) == (5, 3, 3, 11)
    numbers = {int(re.search(r"\d{5}", p.name).group()) for p in files}
    assert numbers == set(range(7))
    assert f"wrote {len(files)} files (7 interviews" in done.stdout
    # a load reads it as 7 interviews (interview 0's two coders' files are one), nothing rejected
    report, _ = check([out], read_codebook(None)[1])
    assert not report.rejected
    assert report.counts["Interview"] == 7
    # nothing was measured: no results file, no table
    assert not (tmp_path / "results.json").exists()
    assert "median" not in done.stdout and "full load" not in done.stdout


def test_generate_only_refuses_a_folder_with_files_and_a_bad_count(tmp_path):
    (tmp_path / "old.txt").write_text("an earlier corpus\n")
    done = _generate("--generate-only", str(tmp_path), "3", cwd=tmp_path)
    assert done.returncode == 2
    assert "not an empty folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]
    done = _generate("--generate-only", str(tmp_path / "new"), "three", cwd=tmp_path)
    assert done.returncode == 2
    assert "positive whole number" in done.stderr
    assert not (tmp_path / "new").exists()

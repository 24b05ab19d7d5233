"""A deterministic synthetic corpus: interviews in the Delve text and plain transcript formats.

Each interview has about 150 turns and 8,000 words, about 40 codings drawn from the
codebook's prefixes with a skewed (Zipf-like) frequency, tool mentions from the gazetteer,
and every fifth Delve interview is coded by a second coder (a second file of the same text).
Plain transcripts get their codings in a ``.codings.yaml`` file, quote by quote.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["generate_corpus", "code_pool", "extra_interview", "recoded_copy", "single_coder_file"]

_WORDS = (
    "model data training pipeline loss gradient feature label dataset deploy evaluate metric "
    "accuracy baseline paper implementation framework layer tensor batch epoch inference latency "
    "cluster cloud cost budget team review code test unit differential reproduce experiment seed "
    "version drift monitoring feedback user client requirement schema missing noisy duplicate "
    "privacy fairness robustness explainability scale memory gpu shape parameter tuning search "
    "the a we they it was is that so and but because when then also really just maybe kind of "
    "think know mean said found tried used needed wanted took made had have were our their this"
).split()
_TOOLS = [
    "PyTorch",
    "TensorFlow",
    "AWS",
    "Azure ML",
    "Spark",
    "GitHub",
    "Docker",
    "Kubernetes",
    "MLflow",
    "XGBoost",
    "BERT",
    "ANONYMIZED_DL_FRAMEWORK_1",
    "ANONYMIZED_DL_FRAMEWORK_2",
    "TPU",
    "GPU",
]
_PREFIXES = ["Data", "MT", "ME", "MD", "MM", "QM", "MLP", "Loss", "Analysis", "Impl", "Test", "Match", "Repro"]
_TOPICS = (
    "missing-values noisy-labels duplicates drift cost latency memory reproducibility "
    "robustness fairness privacy scaling versioning baseline shape-mismatch tuning "
    "documentation ownership monitoring schema"
).split()
_CODERS = ["Ana", "Ben", "Chen", "Dara"]


def code_pool() -> list[str]:
    """The codes the generator draws from: prefix × topic, and a fix for every third one."""
    codes = [f"{p}-{t}" for p in _PREFIXES for t in _TOPICS]
    return codes + [c + "-fix" for c in codes[::3]]


def generate_corpus(out: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` interviews under ``out`` (half Delve text, half plain + codings); return files."""
    rng = random.Random(seed)
    pool = code_pool()
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(pool))]
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        turns = _turns(rng)
        codings = [(rng.randrange(len(turns)), c) for c in rng.choices(pool, weights, k=40)]
        if i % 2 == 0:
            coders = [_CODERS[i % 4]] + ([_CODERS[(i + 1) % 4]] if i % 5 == 0 else [])
            for coder in coders:
                path = out / f"interview-{i:05d}-{coder.lower()}.txt"
                path.write_text(_delve(i, coder, turns, codings), encoding="utf-8")
                files.append(path)
        else:
            path = out / f"transcript-{i:05d}.txt"
            path.write_text(_plain(i, turns), encoding="utf-8")
            files.append(path)
            quotes = out / f"transcript-{i:05d}.codings.yaml"
            quotes.write_text(_codings(i, turns, codings), encoding="utf-8")
            files.append(quotes)
    return files


def extra_interview(out: Path, i: int, seed: int = 11) -> Path:
    """One more Delve interview, numbered ``i`` (give the corpus size: a title no interview of the
    corpus has), coded by one coder: the file an analyst adds to a loaded corpus."""
    rng = random.Random(seed * 1_000_003 + i)
    pool = code_pool()
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(pool))]
    turns = _turns(rng)
    codings = [(rng.randrange(len(turns)), c) for c in rng.choices(pool, weights, k=40)]
    coder = _CODERS[i % 4]
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"interview-{i:05d}-{coder.lower()}.txt"
    path.write_text(_delve(i, coder, turns, codings), encoding="utf-8")
    return path


def single_coder_file(files: list[Path]) -> Path:
    """The first Delve file of the corpus whose interview has one coder (one file to replace)."""
    return next(f for f in sorted(files) if f.name.startswith("interview-") and int(f.name[10:15]) % 5)


def recoded_copy(path: Path, out: Path) -> Path:
    """A copy of the Delve file ``path`` under the same name in ``out``, recoded: one more code
    (the first of the pool it lacks) under its first participant turn (the coder's revised export)."""
    parts = path.read_text(encoding="utf-8").split("\n\n")
    text = parts.index("Interviewee") + 1  # the label, then the turn's text, then its tags
    end = next(i for i in range(text + 1, len(parts)) if parts[i] in ("Interviewer 1", "Interviewee"))
    parts.insert(text + 1, next(c for c in code_pool() if c not in parts[text + 1 : end]))
    out.mkdir(parents=True, exist_ok=True)
    copy = out / path.name
    copy.write_text("\n\n".join(parts), encoding="utf-8")
    return copy


def _turns(rng: random.Random) -> list[tuple[str, str]]:
    turns = []
    for t in range(150):
        speaker = "Interviewer" if t % 2 == 0 else "Participant"
        length = rng.randint(15, 40) if speaker == "Interviewer" else rng.randint(60, 120)
        words = rng.choices(_WORDS, k=length)
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), rng.choice(_TOOLS))
        # a unique marker so every turn can be quoted unambiguously
        text = f"T{t:03d}x{rng.randrange(10**9):09d} " + " ".join(words)
        turns.append((speaker, text[0].upper() + text[1:] + ("?" if speaker == "Interviewer" else ".")))
    return turns


def _delve(i: int, coder: str, turns, codings) -> str:
    by_turn: dict[int, list[str]] = {}
    for position, code in codings:
        by_turn.setdefault(position, []).append(code)
    parts = [f"Interview {i} - {coder}"]
    for position, (speaker, text) in enumerate(turns):
        label = "Interviewer 1" if speaker == "Interviewer" else "Interviewee"
        parts += [label, text, *by_turn.get(position, [])]
    parts.append("Created with the Delve Qualitative Analysis Tool (http://www.delvetool.com)")
    return "\n\n".join(parts) + "\n"


def _plain(i: int, turns) -> str:
    return "".join(f"{'Interviewer' if s == 'Interviewer' else f'P{i}'}:\n{t}\n\n" for s, t in turns)


def _codings(i: int, turns, codings) -> str:
    lines = [f"transcript: transcript-{i:05d}.txt", "coder: example", "codings:"]
    for position, code in codings:
        marker = turns[position][1].split()[0]
        lines.append(f"  - {{code: {code}, quote: {marker}}}")
    return "\n".join(lines) + "\n"

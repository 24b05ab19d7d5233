"""Measure how fast challenge-graph loads, answers and renders as the corpus grows.

    python -m benchmarks            # N = 10, 100, 1000
    python -m benchmarks --large    # and N = 10,000
    python -m benchmarks --sizes 10 # a smoke test

Prints a table and writes benchmarks/results.json. Reference points measured in the same run:
the floor (reading and splitting the same files into lines) and a naive loader (one query per
node and relationship; run up to --naive-max interviews, it is slow by design).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import generate_corpus
from benchmarks.naive import naive_load
from challenge_graph.graph.build import build_graph
from challenge_graph.graph.codebook import load_codebook
from challenge_graph.graph.ladybug_store import LadybugStore
from challenge_graph.loaders import load_paths
from challenge_graph.loaders.text import split_lines
from challenge_graph.queries.runner import list_queries, run_query

HERE = Path(__file__).resolve().parent
PAGES = ["Overview", "Workflow stages", "Challenge detail", "Network", "Cypher console", "Load data"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--large", action="store_true", help="also measure 10,000 interviews")
    parser.add_argument("--naive-max", type=int, default=100, help="largest N for the naive loader")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query (after a warm-up)")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard page timings")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    sizes = args.sizes + ([10_000] if args.large else [])
    results: dict[str, Any] = {"machine": _machine(), "sizes": {}}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"cg-bench-{n}-") as tmp:
            results["sizes"][str(n)] = _measure(Path(tmp), n, args)
        _print_size(n, results["sizes"][str(n)])
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")


def _measure(tmp: Path, n: int, args: argparse.Namespace) -> dict[str, Any]:
    corpus = tmp / "corpus"
    start = time.perf_counter()
    files = generate_corpus(corpus, n)
    out: dict[str, Any] = {"interviews": n, "files": len(files), "generate_s": time.perf_counter() - start}
    out["megabytes"] = sum(f.stat().st_size for f in files) / 1e6

    start = time.perf_counter()
    for f in files:  # the floor: read and split into lines, nothing else
        split_lines(f.read_bytes().decode("utf-8"))
    out["floor_s"] = time.perf_counter() - start

    start = time.perf_counter()
    parsed = load_paths([corpus])
    out["parse_s"] = time.perf_counter() - start
    out["parse_mb_per_s"] = out["megabytes"] / out["parse_s"]

    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_child", str(corpus), str(tmp / "db")],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    load = json.loads(child.stdout)
    out.update(
        load_s=load["seconds"],
        peak_rss_mb=load["peak_rss_mb"],
        rejected=load["rejected"],
        excerpts=load["counts"].get("Excerpt", 0),
        codings=load["counts"].get("CODED_AS", 0),
    )
    out["load_over_floor"] = out["load_s"] / out["floor_s"]

    if n <= args.naive_max:
        graph = build_graph(parsed.records, load_codebook())
        start = time.perf_counter()
        out["naive_statements"] = naive_load(graph, tmp / "naive.lbug")
        out["naive_s"] = time.perf_counter() - start
        out["naive_over_ours"] = out["naive_s"] / out["load_s"]
    del parsed

    store = LadybugStore(tmp / "db")
    values = _typical_params(store)
    out["queries_ms"] = {}
    for query in list_queries():
        params = {p.name: values[p.name] for p in query.params if p.required}
        run_query(store, query.name, params)  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run_query(store, query.name, params)
            times.append((time.perf_counter() - start) * 1000)
        out["queries_ms"][query.name] = {"median": statistics.median(times), "p95": _p95(times)}
    out["export_png"] = _export_timings(store, values["stage"], tmp)
    store.close()
    if not args.no_dashboard:
        out["pages_ms"] = _pages(tmp / "db")
    return out


def _export_timings(store: LadybugStore, stage: str, tmp: Path) -> dict[str, Any]:
    """Time a PNG export of a (up to) 500-node selection: the busiest stage's neighbourhood."""
    from challenge_graph.graph.drawing.images import render_image
    from challenge_graph.queries.network import limit_nodes, neighbourhood

    start = time.perf_counter()
    graph = limit_nodes(neighbourhood(store, "stage", stage), 500)
    timings: dict[str, Any] = {"nodes": graph.number_of_nodes(), "select_s": time.perf_counter() - start}
    for layout in ("workflow", "force"):
        start = time.perf_counter()
        info = render_image(graph, tmp / f"export-{layout}.png", layout=layout, title=stage, footer="benchmark")
        timings[f"{layout}_s"] = time.perf_counter() - start
        timings[f"{layout}_hidden_labels"] = info.hidden
    return timings


def _typical_params(store: LadybugStore) -> dict[str, str]:
    """Parameters that exist in the corpus: the most reported challenge, its stage, a participant."""
    top = run_query(store, "top-challenges", {"limit": 1}).as_dicts()[0]
    quote = run_query(store, "challenge-quotes", {"challenge": top["code"]}).as_dicts()[0]
    participant = store.run("MATCH (p:Participant)-[:SAID]->(:Excerpt {id: $e}) RETURN p.id", {"e": quote["excerpt"]})
    return {
        "stage": top["stage"],
        "challenge": top["code"],
        "participant": participant.rows[0][0],
        "excerpt": quote["excerpt"],
    }


def _pages(db: Path) -> dict[str, float]:
    """Server-side time to render each dashboard page (Streamlit AppTest), first and cached."""
    from streamlit.testing.v1 import AppTest

    timings = {}
    at = AppTest.from_file(str(HERE.parent / "dashboard" / "app.py"), default_timeout=120)
    at.session_state["db_path"] = str(db)
    at.run()
    for page in PAGES:
        start = time.perf_counter()
        at.sidebar.radio(key="page").set_value(page).run()
        first = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        at.run()
        again = (time.perf_counter() - start) * 1000
        if at.exception:
            raise RuntimeError(f"page {page} failed: {at.exception}")
        timings[page] = {"first": first, "again": again}
    return timings


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def _print_size(n: int, r: dict[str, Any]) -> None:
    print(
        f"\n== {n} interviews: {r['files']} files, {r['megabytes']:.1f} MB, "
        f"{r['excerpts']} excerpts, {r['codings']} codings"
    )
    print(f"  floor (read + split)    {r['floor_s']:8.2f} s")
    print(f"  parse                   {r['parse_s']:8.2f} s   {r['parse_mb_per_s']:.1f} MB/s")
    print(
        f"  full load (embedded)    {r['load_s']:8.2f} s   = {r['load_over_floor']:.0f}x the floor   "
        f"peak RSS {r['peak_rss_mb']:.0f} MB"
    )
    if "naive_s" in r:
        print(
            f"  naive loader            {r['naive_s']:8.2f} s   ({r['naive_statements']} statements) "
            f"= {r['naive_over_ours']:.1f}x ours"
        )
    print(f"  {'query':28s} {'median ms':>10s} {'p95 ms':>10s}")
    for name, t in r["queries_ms"].items():
        print(f"  {name:28s} {t['median']:10.1f} {t['p95']:10.1f}")
    e = r["export_png"]
    print(
        f"  export PNG, {e['nodes']} nodes      select {e['select_s']:.2f} s, "
        f"workflow {e['workflow_s']:.2f} s, force {e['force_s']:.2f} s"
    )
    for page, t in r.get("pages_ms", {}).items():
        print(f"  page {page:23s} {t['first']:10.0f} {t['again']:10.0f}   (ms: first render, cached re-run)")


if __name__ == "__main__":
    main()

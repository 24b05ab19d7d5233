"""Measure how fast challenge-graph loads, answers and renders as the corpus grows.

    python -m benchmarks                          # N = 10, 100, 1000
    python -m benchmarks --large                  # and N = 10,000
    python -m benchmarks --sizes 10               # a smoke test
    python -m benchmarks --generate-only DIR N    # only write the synthetic corpus of N interviews

Prints a table and writes benchmarks/results.json. At each size: the full load, every named
query, a PNG export, the method analyses (agreement, saturation, co-occurrence), adding one
file to the loaded store and replacing one (the ``challenge-graph load`` command, end to end),
and every dashboard page (first render and cached re-run) with Streamlit's AppTest and in
headless Chromium (Debian's ``chromium``; ``--no-browser`` skips it). Issue 16's targets are
printed next to the figures they apply to, met or missed. Reference points measured in the same
run: the floor (reading and splitting the same files into lines) and a naive loader (one query
per node and relationship; run up to --naive-max interviews, it is slow by design).
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from benchmarks.generate import extra_interview, generate_corpus, recoded_copy, single_coder_file
from benchmarks.naive import naive_load
from benchmarks.report import judge, machine, p95, print_size, target_text
from challenge_graph.graph.build import build_graph
from challenge_graph.graph.codebook import load_codebook
from challenge_graph.loaders import load_paths
from challenge_graph.loaders.text import split_lines
from challenge_graph.queries.runner import list_queries, run_query
from challenge_graph.store.ladybug_store import LadybugStore

HERE = Path(__file__).resolve().parent


PAGE_TIMEOUT = 300  # seconds a dashboard page may take before it is recorded as not drawn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--large", action="store_true", help="also measure 10,000 interviews")
    parser.add_argument("--naive-max", type=int, default=100, help="largest N for the naive loader")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query (after a warm-up)")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the dashboard page timings")
    parser.add_argument("--no-browser", action="store_true", help="time the pages with AppTest only, not in Chromium")
    parser.add_argument(
        "--generate-only",
        nargs=2,
        metavar=("DIR", "N"),
        help="write the synthetic corpus of N interviews into DIR (new or empty) and measure nothing",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    if args.generate_only:
        _generate_only(parser, Path(args.generate_only[0]), args.generate_only[1])
        return
    if not args.no_dashboard and not args.no_browser:
        from benchmarks.browser import CHROMIUM, available

        if not available():
            parser.error(f"no Chromium at {CHROMIUM} (apt-get install chromium), or pass --no-browser")
    _compile_package()
    sizes = args.sizes + ([10_000] if args.large else [])
    results: dict[str, Any] = {"machine": machine(), "targets": target_text(), "sizes": {}}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"cg-bench-{n}-") as tmp:
            results["sizes"][str(n)] = _measure(Path(tmp), n, args)
        print_size(n, results["sizes"][str(n)])
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")


def _compile_package() -> None:
    """Compile the package's modules to bytecode once, as pip does when it installs a package:
    the timed commands then start as an installed copy starts (see :func:`_child_env`)."""
    config = tomllib.loads((HERE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for folder in sorted(set(config["tool"]["setuptools"]["package-dir"].values())):
        compileall.compile_dir(HERE.parent / folder, quiet=1)


def _child_env() -> dict[str, str]:
    """The environment of the timed child processes: this one's, with Python's bytecode cache
    read (a machine may set PYTHONDONTWRITEBYTECODE, as ours does; a command would then compile
    every module it imports at each start, 0.08 s of adding a file, which no installed copy pays)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _generate_only(parser: argparse.ArgumentParser, out: Path, count: str) -> None:
    """Write the corpus of ``count`` interviews into ``out`` and say what was written."""
    try:
        n = int(count)
    except ValueError:
        n = -1
    if n < 1:
        parser.error(f"N must be a positive whole number of interviews, not {count!r}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        parser.error(f"{out} is not an empty folder: the corpus would mix with what is there")
    start = time.perf_counter()
    files = generate_corpus(out, n)
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    print(
        f"wrote {len(files)} files ({n} interviews, {megabytes:.1f} MB) to {out} in {time.perf_counter() - start:.1f} s"
    )


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

    os.sync()  # the corpus just written: the load does not pay for flushing it
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_child", str(corpus), str(tmp / "db")],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
        env=_child_env(),
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

    # on a copy, so that everything else measures the store of the corpus as generated; before the
    # naive loader, whose minutes of writes and gigabytes of rows would still weigh on the machine
    out["one_file"] = _one_file(tmp, n, files)

    if n <= args.naive_max:
        graph = build_graph(parsed.records, load_codebook())
        start = time.perf_counter()
        out["naive_statements"] = naive_load(graph, tmp / "naive.lbug")
        out["naive_s"] = time.perf_counter() - start
        out["naive_over_ours"] = out["naive_s"] / out["load_s"]
        del graph
        (tmp / "naive.lbug").unlink()  # its database leaves the disk before the next steps
    del parsed

    store = LadybugStore(tmp / "db")
    values = _typical_params(store)
    out["most_quoted"] = {"challenge": values["most_quoted"], "quotes": values["most_quoted_quotes"]}
    out["queries_ms"] = {}
    for query in list_queries():
        params = {p.name: values[p.name] for p in query.params if p.required}
        run_query(store, query.name, params)  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            run_query(store, query.name, params)
            times.append((time.perf_counter() - start) * 1000)
        out["queries_ms"][query.name] = {"median": statistics.median(times), "p95": p95(times)}
    out["export_png"] = _export_timings(store, values["stage"], tmp)
    out["method_s"] = _method_timings(store)
    pages = _page_rows(store, values["most_quoted"])
    store.close()
    start = time.perf_counter()
    store.run("RETURN 1")  # what every page's first render pays after a load: re-opening the database
    out["reopen_ms"] = (time.perf_counter() - start) * 1000
    store.close()
    if not args.no_dashboard:
        out["pages_ms"] = _pages(tmp / "db", pages)
        if not args.no_browser:
            from benchmarks.browser import page_timings

            rows = [(row, title, label) for row, title, _, label in pages]
            out["pages_browser_ms"] = page_timings(tmp / "db", rows, PAGE_TIMEOUT)
    out["targets"] = judge(n, out)
    return out


def _one_file(tmp: Path, n: int, files: list[Path]) -> dict[str, Any]:
    """Seconds of ``challenge-graph load FILE --db DB`` (a new process, as an analyst runs it) to
    add one new interview to the loaded store, then to replace one of its files by a recoded copy
    under the same name; each checked in the store it wrote."""
    db = tmp / "db-one-file"
    shutil.copytree(tmp / "db", db)  # the store as the full load left it, parse cache included
    start = time.perf_counter()
    _cli("load", "--help")
    timings: dict[str, Any] = {"cli_start_s": time.perf_counter() - start}
    start = time.perf_counter()
    _cli("query", "--help")  # the interpreter, click and the query command's imports: no database
    timings["query_start_s"] = time.perf_counter() - start

    before = _store_facts(db)
    added = extra_interview(tmp / "new", n)
    os.sync()  # the copy of the store (and the naive loader's file): a load fsyncs, and would wait for them
    start = time.perf_counter()
    _cli("load", str(added), "--db", str(db))
    timings["add_s"] = time.perf_counter() - start
    after = _store_facts(db)
    if after["interviews"] != before["interviews"] + 1 or added.name not in after["sources"]:
        counts = f"{before['interviews']} -> {after['interviews']}"
        raise RuntimeError(f"adding {added.name} did not add one interview: {counts}")

    original = single_coder_file(files)
    changed = recoded_copy(original, tmp / "changed")
    os.sync()
    start = time.perf_counter()
    _cli("load", str(changed), "--db", str(db))
    timings["replace_s"] = time.perf_counter() - start
    replaced = _store_facts(db)
    if (
        replaced["sources"].get(changed.name) != hashlib.sha256(changed.read_bytes()).hexdigest()
        or len(replaced["sources"]) != len(after["sources"])
        or replaced["interviews"] != after["interviews"]
    ):
        raise RuntimeError(f"replacing {changed.name} did not replace its stored copy")
    timings.update(added=added.name, replaced=changed.name)
    return timings


def _cli(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "challenge_graph", *args],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
        env=_child_env(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"challenge-graph {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")


def _store_facts(db: Path) -> dict[str, Any]:
    """The interviews in the store at ``db`` and its sources (name -> sha256), read afresh."""
    store = LadybugStore(db)
    try:
        interviews = store.run("MATCH (i:Interview) RETURN count(i)").rows[0][0]
        return {"interviews": interviews, "sources": {s.name: s.sha256 for s in store.sources()}}
    finally:
        store.close()


def _export_timings(store: LadybugStore, stage: str, tmp: Path) -> dict[str, Any]:
    """Time a PNG export of a (up to) 500-node selection: the busiest stage's neighbourhood."""
    from challenge_graph.export.images import render_image
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


def _method_timings(store: LadybugStore) -> dict[str, dict[str, Any]]:
    """Seconds of each method analysis behind ``challenge-graph agreement|saturation|cooccurrence``
    (and the Method page), with its default options: a first call, then a second one."""
    from challenge_graph.queries.agreement import agreement
    from challenge_graph.queries.analysis import cooccurrence, saturation

    analyses = {
        "agreement": lambda: len(agreement(store)[0]),
        "saturation": lambda: len(saturation(store)),
        "cooccurrence": lambda: len(cooccurrence(store)),
    }
    timings = {}
    for name, analysis in analyses.items():
        start = time.perf_counter()
        rows = analysis()
        first = time.perf_counter() - start
        start = time.perf_counter()
        analysis()
        timings[name] = {"first": first, "again": time.perf_counter() - start, "rows": rows}
    return timings


def _typical_params(store: LadybugStore) -> dict[str, str]:
    """Parameters that exist in the corpus: the most reported challenge, its stage, a participant,
    and the most-quoted challenge (most distinct excerpts coded with it) for its detail page."""
    top = run_query(store, "top-challenges", {"limit": 1}).as_dicts()[0]
    quote = run_query(store, "challenge-quotes", {"challenge": top["code"]}).as_dicts()[0]
    participant = store.run("MATCH (p:Participant)-[:SAID]->(:Excerpt {id: $e}) RETURN p.id", {"e": quote["excerpt"]})
    quoted = store.run(
        "MATCH (e:Excerpt)-[:CODED_AS]->(c:Challenge) RETURN c.code, count(DISTINCT e) AS quotes "
        "ORDER BY quotes DESC, c.code LIMIT 1"
    ).rows[0]
    return {
        "stage": top["stage"],
        "challenge": top["code"],
        "participant": participant.rows[0][0],
        "excerpt": quote["excerpt"],
        "most_quoted": quoted[0],
        "most_quoted_quotes": quoted[1],
    }


MOST_QUOTED = "Challenge detail, most quoted"  # the row of the Challenge detail page at the most-quoted challenge


def _page_rows(store: LadybugStore, most_quoted: str) -> list[tuple[str, str, dict[str, str], str | None]]:
    """Every dashboard page as it opens (row name, page title, address query, None), and the
    Challenge detail page at the most-quoted challenge (with that challenge's label in its list)."""
    from challenge_graph.dashboard.links import SLUGS

    label = store.run("MATCH (c:Challenge {code: $c}) RETURN c.name + ' (' + c.code + ')'", {"c": most_quoted}).rows
    rows = [(title, title, {"page": slug}, None) for title, slug in SLUGS.items()]
    return [*rows, (MOST_QUOTED, "Challenge detail", {"page": "challenge", "challenge": most_quoted}, label[0][0])]


def _pages(db: Path, pages: list[tuple[str, str, dict[str, str], str | None]]) -> dict[str, dict[str, Any]]:
    """Server-side time to render each dashboard page (Streamlit AppTest), in milliseconds, in one
    session as a person uses it (the same steps as in the browser, without drawing).

    "first": the store's file stamp moved on as a load does (so the store re-opens the database
    and the dashboard's caches hold nothing), then the page chosen in the sidebar (for the
    most-quoted challenge: the Challenge detail page at its default challenge, the stamp moved,
    then the challenge chosen); "again": the same run once more (the cached re-run)."""
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    from benchmarks.browser import HOME, OTHER_HOME, graph_changed

    set_log_level("error")  # AppTest runs without a server: its warnings about that say nothing here
    at = AppTest.from_file(str(HERE.parent / "dashboard" / "app.py"), default_timeout=PAGE_TIMEOUT)
    at.session_state["db_path"] = str(db)
    at.query_params["page"] = "load"
    at.run()  # imports the views, once

    def show(title: str) -> None:
        if at.sidebar.radio(key="page").value != title:
            at.sidebar.radio(key="page").set_value(title).run()

    timings: dict[str, dict[str, Any]] = {}
    for row, title, _, label in pages:
        try:
            if label is None:
                show(OTHER_HOME if title == HOME else HOME)
                graph_changed(db)
                start = time.perf_counter()
                at.sidebar.radio(key="page").set_value(title).run()
            else:
                show(title)
                graph_changed(db)
                start = time.perf_counter()
                at.selectbox(key="challenge").set_value(label).run()
            first = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            at.run()
            again = (time.perf_counter() - start) * 1000
        except RuntimeError as e:  # AppTest's timeout
            timings[row] = {"first": None, "again": None, "error": str(e)}
            break  # the session may still be running the page
        if at.exception:
            raise RuntimeError(f"page {row} failed: {at.exception}")
        if at.sidebar.radio(key="page").value != title:
            raise RuntimeError(f"{row}: the sidebar shows {at.sidebar.radio(key='page').value!r}, not {title!r}")
        if label is not None and at.selectbox(key="challenge").value != label:
            raise RuntimeError(f"{row} shows {at.selectbox(key='challenge').value!r}, not {label!r}")
        timings[row] = {"first": first, "again": again}
    return timings

"""The benchmark's targets, and its figures judged against them and printed."""

from __future__ import annotations

import os
import platform
from typing import Any

__all__ = ["TARGETS", "judge", "met", "mark", "ms", "p95", "machine", "print_size", "target_text"]

# Issue 16's targets (and the exports issue's PNG): figure -> (comparison, {interviews: limit}, unit).
# A target is judged only at the sizes it names.
TARGETS: dict[str, tuple[str, dict[int, float], str]] = {
    "full load": ("<=", {1000: 10, 10_000: 100}, "s"),
    "load / floor": ("<=", {1000: 10}, "x"),
    "naive / ours": (">=", {1000: 20}, "x"),
    "peak RSS of the full load": ("<=", {10_000: 2048}, "MB"),
    "query median": ("<=", {1000: 50, 10_000: 200}, "ms"),
    "PNG export": ("<", {1000: 10}, "s"),
    "method analysis": ("<=", {1000: 2}, "s"),
    "one file": ("<=", {1000: 2}, "s"),
    "one file past start-up": ("<=", {1000: 1}, "s"),  # less `challenge-graph load --help`
    "query start-up": ("<", {1000: 0.3}, "s"),
    "page first render": ("<=", {1000: 1000}, "ms"),
}


def judge(n: int, r: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target that applies at ``n`` interviews, with the figure and whether it is met."""
    figures: list[tuple[str, str, float | None]] = [
        ("full load", "full load", r["load_s"]),
        ("load / floor", "load / floor", r["load_over_floor"]),
        ("naive / ours", "naive / ours", r.get("naive_over_ours")),
        ("peak RSS of the full load", "peak RSS of the full load", r["peak_rss_mb"]),
        ("PNG export", "PNG export, force layout", r["export_png"]["force_s"]),
        ("PNG export", "PNG export, workflow layout", r["export_png"]["workflow_s"]),
        ("one file", "add one file", r["one_file"]["add_s"]),
        ("one file", "replace one file", r["one_file"]["replace_s"]),
        ("one file past start-up", "add one file past start-up", _past_start_up(r["one_file"], "add_s")),
        ("one file past start-up", "replace one file past start-up", _past_start_up(r["one_file"], "replace_s")),
        ("query start-up", "`challenge-graph query` start-up", r["one_file"].get("query_start_s")),
    ]
    figures += [("query median", f"query {q}", t["median"]) for q, t in r["queries_ms"].items()]
    figures += [("method analysis", f"method {m}", t["first"]) for m, t in r["method_s"].items()]
    for key, how in (("pages_ms", "AppTest"), ("pages_browser_ms", "browser")):
        figures += [("page first render", f"page {p} ({how})", t["first"]) for p, t in r.get(key, {}).items()]
    judged = []
    for target, what, value in figures:
        if n not in TARGETS[target][1] or (value is None and target == "naive / ours"):
            continue
        judged.append({"figure": what, "target": target, "value": value, "met": met(target, n, value)})
    return judged


def _past_start_up(one_file: dict[str, Any], step: str) -> float:
    """Seconds of ``step`` past the command's start-up (``load --help``: the interpreter, click,
    the command's imports)."""
    return one_file[step] - one_file["cli_start_s"]


def met(target: str, n: int, value: float | None) -> bool:
    """Whether ``value`` meets ``target`` at ``n`` interviews (a page never drawn does not)."""
    how, limits, _ = TARGETS[target]
    if value is None:
        return False
    return {"<=": value <= limits[n], ">=": value >= limits[n], "<": value < limits[n]}[how]


def mark(target: str, n: int, value: float | None) -> str:
    """``  [≤ 2 s: met]`` after a figure when ``target`` applies at ``n`` interviews, else nothing."""
    how, limits, unit = TARGETS[target]
    if n not in limits:
        return ""
    sign = {"<=": "≤", ">=": "≥", "<": "<"}[how]
    limit = f"{limits[n]:,g}"
    return f"  [{sign} {limit}{'x' if unit == 'x' else ' ' + unit}: {word(target, n, value)}]"


def word(target: str, n: int, value: float | None) -> str:
    return "met" if met(target, n, value) else "MISSED"


def target_text() -> dict[str, str]:
    return {
        name: ", ".join(
            f"{ {'<=': '≤', '>=': '≥', '<': '<'}[how] } {limit:,g} {unit} at {n:,}" for n, limit in limits.items()
        )
        for name, (how, limits, unit) in TARGETS.items()
    }


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"  # n/a: not drawn in time (the error follows)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "load_average": os.getloadavg()[0],
    }


def print_size(n: int, r: dict[str, Any]) -> None:
    print(
        f"\n== {n} interviews: {r['files']} files, {r['megabytes']:.1f} MB, "
        f"{r['excerpts']} excerpts, {r['codings']} codings"
    )
    print(f"  floor (read + split)    {r['floor_s']:8.2f} s")
    print(f"  parse                   {r['parse_s']:8.2f} s   {r['parse_mb_per_s']:.1f} MB/s")
    print(
        f"  full load (embedded)    {r['load_s']:8.2f} s{mark('full load', n, r['load_s'])}   "
        f"= {r['load_over_floor']:.0f}x the floor{mark('load / floor', n, r['load_over_floor'])}   "
        f"peak RSS {r['peak_rss_mb']:.0f} MB{mark('peak RSS of the full load', n, r['peak_rss_mb'])}"
    )
    if "naive_s" in r:
        print(
            f"  naive loader            {r['naive_s']:8.2f} s   ({r['naive_statements']} statements) "
            f"= {r['naive_over_ours']:.1f}x ours{mark('naive / ours', n, r['naive_over_ours'])}"
        )
    f = r["one_file"]
    print(f"  add one file            {f['add_s']:8.2f} s{mark('one file', n, f['add_s'])}   ({f['added']})")
    print(
        f"  replace one file        {f['replace_s']:8.2f} s{mark('one file', n, f['replace_s'])}   "
        f"({f['replaced']}, recoded)   `challenge-graph load` alone starts in {f['cli_start_s']:.2f} s"
    )
    for step, what in (("add_s", "add"), ("replace_s", "replace")):
        past = _past_start_up(f, step)
        print(f"    {what + ' past start-up':21s} {past:8.2f} s{mark('one file past start-up', n, past)}")
    if "query_start_s" in f:
        start = f["query_start_s"]
        print(f"  query start-up          {start:8.2f} s{mark('query start-up', n, start)}   (query --help)")
    print(f"  {'query':28s} {'median ms':>10s} {'p95 ms':>10s}")
    for name, t in r["queries_ms"].items():
        print(f"  {name:28s} {t['median']:10.1f} {t['p95']:10.1f}{mark('query median', n, t['median'])}")
    e = r["export_png"]
    print(
        f"  export PNG, {e['nodes']} nodes      select {e['select_s']:.2f} s, "
        f"workflow {e['workflow_s']:.2f} s{mark('PNG export', n, e['workflow_s'])}, "
        f"force {e['force_s']:.2f} s{mark('PNG export', n, e['force_s'])}"
    )
    print(f"  {'method analysis':28s} {'first s':>10s} {'again s':>10s}")
    for name, t in r["method_s"].items():
        print(
            f"  {name:28s} {t['first']:10.2f} {t['again']:10.2f}{mark('method analysis', n, t['first'])}"
            f"   ({t['rows']} rows)"
        )
    if "pages_ms" in r:
        q = r["most_quoted"]
        print(
            f"  {'dashboard page (ms)':32s} {'AppTest first':>13s} {'again':>6s} {'browser first':>14s} {'again':>6s}"
            f"   (most quoted: {q['challenge']}, {q['quotes']} quotes; "
            f"a first render re-opens the database: {r['reopen_ms']:.0f} ms)"
        )
        browser = r.get("pages_browser_ms", {})
        for page in dict.fromkeys([*r["pages_ms"], *browser]):  # rows after a page never drawn are missing
            t, b = r["pages_ms"].get(page), browser.get(page)
            cells = [ms(x[k]) if x else "-" for x in (t, b) for k in ("first", "again")]
            verdict = ""
            if n in TARGETS["page first render"][1]:
                met = [
                    f"{how} {word('page first render', n, x['first'])}"
                    for how, x in (("AppTest", t), ("browser", b))
                    if x
                ]
                verdict = f"[≤ {TARGETS['page first render'][1][n]:,g} ms: {', '.join(met)}]"
            print(f"  {page:32s} {cells[0]:>13s} {cells[1]:>6s} {cells[2]:>14s} {cells[3]:>6s}  {verdict}")
            for how, timing in (("AppTest", t or {}), ("browser", b or {})):
                if timing.get("error"):
                    print(f"    {how}: {timing['error']}")
    judged = r["targets"]
    if judged:
        missed = [t["figure"] for t in judged if not t["met"]]
        print(f"  targets at {n:,} interviews: {len(judged) - len(missed)} of {len(judged)} met")

"""Dashboard pages timed in a real browser: the ``challenge-graph dashboard`` server and headless
Chromium (Debian's, driven by Playwright; never ``playwright install``).

What is timed: from the click that opens a page (its entry in the sidebar; for a chosen challenge,
its option in the Challenge selectbox) until the page is drawn and Streamlit is idle, checked on
every animation frame:

- the script has run since the click and stopped: the server's script-finished message has come,
  the page shows it (``stApp``'s ``data-test-script-state`` is ``notRunning``), the main area's
  content is no longer what it was before the click, the app is connected, and no element is
  left stale from a previous run;
- the page's title (``h1``) is there and the sidebar shows the page chosen; no skeleton or spinner;
- every image has loaded, every table (``stDataFrame``) has its canvas, every chart
  (``stVegaLiteChart``, ``stGraphVizChart``) has drawn its canvas or SVG, every frame has
  loaded, and a network frame has drawn and fitted its network (``window.networkFitted``).

One server and one tab (opened on the Load data page) serve every page. "first": the store's
file stamp is moved on, as a load does (:func:`graph_changed`), then the page is clicked: the
server re-opens the database and its caches hold nothing (for the most-quoted challenge: the page
shows its default challenge, the stamp moves, then the challenge is chosen). "again": another
page is clicked, then the page once more (its data now cached). A page must stay drawn, with no
further run, for half a second after it is timed. The app's own start in a new tab (its
JavaScript, the connection) is not in the figure: it is the same for every page.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "LAUNCH_ARGS", "available", "page_timings"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOME = "Load data"  # the page a tab opens on: it opens the store and imports the views
OTHER_HOME = "Cypher console"  # the same, when Load data is the page timed

# in every tab, before the app's own scripts: the script runs finished so far, counted from the
# server's messages (a ForwardMsg whose field 6, script_finished, says FINISHED_SUCCESSFULLY or
# FINISHED_WITH_COMPILE_ERROR: the page's script-state attribute alone misses fast runs, whose
# start and end React may draw at once), and the time of the last click
_WATCH = """
window.__cgRuns = 0;
window.__cgClickAt = null;
const finished = bytes => {  // the script_finished status of a ForwardMsg, or -1
  let i = 0;
  const varint = () => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < bytes.length);
    return value;
  };
  while (i < bytes.length) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
    if (wire === 0) { const value = varint(); if (field === 6) return value; }
    else if (wire === 2) { const length = varint(); i += length; }  // not i += varint(): i is read first
    else if (wire === 1) { i += 8; }
    else if (wire === 5) { i += 4; }
    else { return -1; }
  }
  return -1;
};
const NativeWebSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeWebSocket(...args);
  socket.addEventListener('message', event => {
    if (event.data instanceof ArrayBuffer && [0, 1].includes(finished(new Uint8Array(event.data)))) {
      window.__cgRuns += 1;
    }
  });
  return socket;
};
Object.assign(window.WebSocket, NativeWebSocket);
window.WebSocket.prototype = NativeWebSocket.prototype;
document.addEventListener('click', () => { window.__cgClickAt = performance.now(); }, true);
"""

# what still keeps the page from being drawn and idle ('' when nothing does)
_WAITING_FOR = """([runsBefore, title, textBefore]) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || window.__cgRuns <= runsBefore) return 'a run to end after the click';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return 'the end of the run drawn';
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return 'the connection';
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || !main.querySelector('h1')) return 'the title';
  if (textBefore !== null && main.innerText === textBefore) return 'the new content drawn';
  const chosen = document.querySelector('[data-testid=stSidebar] input[type=radio]:checked');
  if (!chosen || chosen.closest('label').innerText.trim() !== title) return 'the page chosen in the sidebar';
  if (document.querySelector('[data-stale=true]')) return 'stale elements to go';
  if (document.querySelector('[data-testid=stSkeleton], [data-testid=stSpinner]')) return 'a placeholder to go';
  for (const img of main.querySelectorAll('img')) { if (!img.complete || img.naturalWidth === 0) return 'an image'; }
  for (const table of main.querySelectorAll('[data-testid=stDataFrame]')) {
    if (!table.querySelector('canvas')) return 'a table';
  }
  for (const chart of main.querySelectorAll('[data-testid=stVegaLiteChart]')) {
    if (!chart.querySelector('canvas, svg.marks')) return 'a chart';
  }
  for (const chart of main.querySelectorAll('[data-testid=stGraphVizChart]')) {
    if (!chart.querySelector('svg')) return 'a workflow drawing';
  }
  for (const frame of main.querySelectorAll('iframe')) {
    let doc;
    try { doc = frame.contentDocument; } catch (e) { continue; }  // another origin: not ours to wait for
    if (!doc || doc.readyState !== 'complete' || doc.URL === 'about:blank') return 'a frame';
    if (doc.getElementById('mynetwork') && !frame.contentWindow.networkFitted) return 'the network';
  }
  return '';
}"""

# the time (performance.now()) of the first animation frame at which nothing is waited for
_DRAWN = f"args => ({_WAITING_FOR})(args) === '' ? performance.now() : false"


def available() -> bool:
    """Whether Debian's Chromium is installed (the benchmark never downloads a browser)."""
    return os.path.exists(CHROMIUM)


def page_timings(db: Path, pages: list[tuple[str, str, str | None]], timeout: float = 300) -> dict[str, dict[str, Any]]:
    """Milliseconds to draw each page, first and again (see the module's docstring). ``pages``:
    (row name, page title, the challenge to choose on it or None). A page not drawn within
    ``timeout`` seconds is recorded with an error instead (and the pages after it are not timed:
    the server may still be busy with it)."""
    from playwright.sync_api import sync_playwright

    timings: dict[str, dict[str, Any]] = {}
    with dashboard_server(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(_WATCH)
            tab = context.new_page()
            tab.goto(f"{url}/?page={slug(HOME)}")
            _wait_drawn(tab, 0, HOME, timeout)
            for row, title, choice in pages:
                home = OTHER_HOME if title == HOME else HOME
                try:
                    if choice is None:
                        _go(tab, home, timeout)
                        graph_changed(db)
                        first = _click_page(tab, title, timeout)
                        _click_page(tab, home, timeout)
                        again = _click_page(tab, title, timeout)
                    else:  # the page at its default challenge, then the challenge chosen
                        _go(tab, title, timeout)
                        default = _selected(tab)
                        graph_changed(db)
                        first = _choose(tab, title, choice, timeout)
                        _choose(tab, title, default, timeout)
                        again = _choose(tab, title, choice, timeout)
                except _NotDrawn as e:
                    timings[row] = {"first": None, "again": None, "error": str(e)}
                    break
                timings[row] = {"first": first, "again": again}
        finally:
            browser.close()
    return timings


def graph_changed(db: Path) -> None:
    """Move the stamp of the store's database file on, as a load does: every reader re-opens the
    database on its next query and the dashboard's caches (keyed by the stamp) hold nothing."""
    from challenge_graph.store.ladybug_store import DB_FILE

    file = db / DB_FILE
    stamp = file.stat().st_mtime_ns + 1_000_000_000
    os.utime(file, ns=(stamp, stamp))


def slug(title: str) -> str:
    from challenge_graph.dashboard.links import SLUGS

    return SLUGS[title]


class _NotDrawn(Exception):
    pass


def _go(tab, title: str, timeout: float) -> None:
    """Show ``title`` (untimed), unless the tab shows it already."""
    chosen = tab.get_by_test_id("stSidebar").locator("input[type=radio]:checked")
    if chosen.locator("xpath=ancestor::label").inner_text().strip() != title:
        _click_page(tab, title, timeout)


def _click_page(tab, title: str, timeout: float) -> float:
    """Click ``title`` in the sidebar; milliseconds until the page is drawn and idle."""
    entry = tab.get_by_test_id("stSidebar").get_by_text(title, exact=True)
    return _timed(tab, entry.click, title, timeout)


def _selected(tab) -> str:
    return tab.get_by_test_id("stSelectbox").first.locator("input").input_value()


def _choose(tab, title: str, option: str, timeout: float) -> float:
    """Open the page's first selectbox and pick ``option``: milliseconds from the pick until drawn."""
    tab.get_by_test_id("stSelectbox").first.click()
    tab.keyboard.type(option)
    item = tab.get_by_role("option", name=option, exact=True)
    item.wait_for()
    elapsed = _timed(tab, item.click, title, timeout)
    if _selected(tab) != option:
        raise RuntimeError(f"chose {option!r} on {title}, but it shows {_selected(tab)!r}")
    return elapsed


def _timed(tab, action, title: str, timeout: float) -> float:
    """Milliseconds from the click ``action`` makes to the page drawn, both read from the page's
    own clock (performance.now()), so the browser driver's round trips are not in the figure."""
    runs, text = tab.evaluate("() => [window.__cgRuns, document.querySelector('[data-testid=stMain]').innerText]")
    action()
    drawn_at = _wait_drawn(tab, runs, title, timeout, text)
    return drawn_at - tab.evaluate("() => window.__cgClickAt")


def _wait_drawn(tab, runs_before: int, title: str, timeout: float, text_before: str | None = None) -> float:
    """Wait until ``title`` is drawn by a run after the first ``runs_before`` (in place of the
    main area's text ``text_before``), and stays so; return the page's clock at the first frame
    it was."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        drawn = tab.wait_for_function(
            _DRAWN, arg=[runs_before, title, text_before], polling="raf", timeout=timeout * 1000
        )
    except PlaywrightTimeout:
        waiting = tab.evaluate(_WAITING_FOR, [runs_before, title, text_before])
        raise _NotDrawn(f"not drawn within {timeout:g} s (waiting for {waiting or 'nothing any more'})") from None
    drawn_at = drawn.json_value()
    runs = tab.evaluate("() => window.__cgRuns")
    tab.wait_for_timeout(500)  # settled: no further run started once drawn
    if tab.evaluate("() => window.__cgRuns") != runs or tab.evaluate(_WAITING_FOR, [runs_before, title, text_before]):
        raise RuntimeError(f"{title} ran again after it was drawn: its time would be wrong")
    exceptions = tab.get_by_test_id("stException")
    if exceptions.count():
        raise RuntimeError(f"{title} shows an exception: {exceptions.first.inner_text()}")
    return drawn_at


@contextmanager
def dashboard_server(db: Path, wait: float = 120) -> Iterator[str]:
    """Run ``challenge-graph dashboard --db DB`` on a free port until it answers its health check;
    yield its address; then stop it (SIGTERM, forwarded to Streamlit) and whatever it started."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "challenge_graph", "dashboard", "--db", str(db), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the server and its Streamlit child
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + wait
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        log.seek(0)
                        raise RuntimeError("the dashboard did not start: " + log.read().decode()[-2000:]) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # anything of this server's group still running
            except ProcessLookupError:
                pass
            proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

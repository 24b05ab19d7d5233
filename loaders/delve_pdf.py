"""Load Delve "print view" PDF exports by their layout.

Delve draws each kind of item in its own type, so the runs of text pypdf reports (with font
and size) are classified without guessing from the words: the title is the largest type,
speaker labels are bold at the body size, every code tag is its own run in a smaller type
(10.5 pt beside a 14 pt body), and page headers and footers are smaller still (8 pt).

A paragraph is the body text between a label, a tag row or a paragraph break and the next one,
wherever the pages break; Delve's "Created with the Delve…" line is dropped. A turn can hold
several paragraphs, and a coder tags some of them: each tag row codes the paragraph just
before it, not the untagged paragraphs above it in the same turn. The lines of a paragraph
follow each other at the line pitch (31 pt beside a 14 pt body in the exports measured), and a
break inside a turn leaves a blank line (61 pt), so a gap of more than 1.5 pitches between two
body lines on one page is a paragraph break; each paragraph is a turn of the last label's
speaker, as each line is in a Delve text export. Between pages the gap says nothing (the page margins add
anything from -10 to 90 pt), so a break that falls exactly on a page break is not seen and the
two paragraphs stay one. ``Turn.line`` and ``Coding.line`` are page numbers.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Interview
from challenge_graph.loaders.delve_text import LABEL, TAG, TEXT, Block, build_interview

__all__ = ["load", "parse_pdf", "read_runs", "classify", "is_page_header", "Run"]

logger = logging.getLogger(__name__)

FORMAT = "delve-pdf"
# limits against hostile or runaway files: a Delve transcript is a few dozen pages. Reading text
# costs about 2 s per MB of drawing instructions (content streams, parsed again on every page that
# draws them), so a small file whose pages share one big stream would read for an hour: the work is
# budgeted per file. The nine real exports (16-35 pages) hold 0.18-0.47 MB of drawing instructions,
# 7,000-18,000 operators, and read in under 0.7 s; each budget is 28x or more the largest of them.
LIMITS = {
    "max_bytes": 50 * 1024 * 1024,
    "max_pages": 1000,
    "max_content_bytes": 16 * 1024 * 1024,  # decoded content streams and forms, summed over pages
    "max_operators": 500_000,  # drawing operators visited, summed over pages
    "max_seconds": 60.0,  # wall clock, a backstop (checked between operators and pages)
}
_DATE_LINE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4},\s+\d{1,2}:\d{2}\s*[AP]M\b")
_URL_LINE = re.compile(r"^https?://\S+\s+\d+\s*/\s*\d+\s*$")
_FOOTER = "created with the"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its page (1-based), position, type size and weight."""

    text: str
    page: int
    y: float
    x: float
    size: float
    bold: bool


def load(path: Path) -> Interview:
    """Read one Delve PDF export."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoaderError(path, None, f"cannot read file: {e.strerror}") from e
    return parse_pdf(data, source=path)


def parse_pdf(data: bytes, source: Path | str = "<pdf>") -> Interview:
    """Parse the bytes of a Delve PDF export.

    Raises
    ------
    LoaderError
        If the file is not a readable PDF, has no text (scanned pages), or is not a Delve export.
    """
    runs = read_runs(data, source)
    if not runs:
        raise LoaderError(source, None, "the PDF has no extractable text (scanned pages?); export it from Delve again")
    title, blocks = classify(runs, source)
    return build_interview(title.text, title.page, blocks, source, FORMAT)


def read_runs(data: bytes, source: Path | str = "<pdf>") -> list[Run]:
    """Every non-blank text run of the PDF, page by page, top to bottom and left to right."""
    from pypdf import PdfReader

    if len(data) > LIMITS["max_bytes"]:
        raise LoaderError(source, None, f"PDF of {len(data)} bytes refused (limit {LIMITS['max_bytes']})")
    runs: list[Run] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > LIMITS["max_pages"]:
            raise LoaderError(source, None, f"PDF of {len(reader.pages)} pages refused (limit {LIMITS['max_pages']})")
        work = _Work(source, len(reader.pages))
        for number, page in enumerate(reader.pages, start=1):
            work.page = number
            work.take_bytes(page)
            on_page: list[Run] = []

            def visit(text, cm, tm, font, size, page=number, on_page=on_page):
                if text.strip():
                    name = str((font or {}).get("/BaseFont", ""))
                    on_page.append(
                        Run(text, page, round(float(tm[5]), 1), float(tm[4]), float(size), "bold" in name.lower())
                    )

            try:
                page.extract_text(visitor_text=visit, visitor_operand_before=work.operator)
            except _Stop as stop:
                raise stop.error from None
            work.check()
            runs.extend(sorted(on_page, key=lambda r: (r.y, r.x)))
    except LoaderError:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf on untrusted bytes raises many kinds (loops, bad streams)
        raise LoaderError(source, None, f"not a readable PDF ({type(e).__name__}: {e})") from e
    return runs


class _Work:
    """The work a PDF's text costs, counted against ``LIMITS`` (see there): the drawing
    instructions of each page (before they are parsed), the operators visited, the time taken."""

    def __init__(self, source, pages: int) -> None:
        self.source, self.pages, self.page = source, pages, 0
        self.bytes = self.operators = 0
        self.deadline = time.monotonic() + LIMITS["max_seconds"]

    def take_bytes(self, page) -> None:
        """Count the page's content streams and the form XObjects its resources hold (each
        decoded, never parsed), refusing the file as soon as the total passes the budget."""
        contents = page.get_contents()
        self._add(len(contents.get_data()) if contents is not None else 0)
        seen: set[int] = set()
        stack = [page.get("/Resources")]
        while stack:  # forms hold resources with forms: walked with a stack, each form once
            resources = _resolve(stack.pop())
            xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, dict) else None
            for ref in xobjects.values() if isinstance(xobjects, dict) else ():
                form = _resolve(ref)
                if id(form) in seen or not hasattr(form, "get_data") or form.get("/Subtype") != "/Form":
                    continue
                seen.add(id(form))
                self._add(len(form.get_data()))
                stack.append(form.get("/Resources"))
        self.check()

    def _add(self, size: int) -> None:
        self.bytes += size
        if self.bytes > LIMITS["max_content_bytes"]:
            self._refuse(f"more than {LIMITS['max_content_bytes'] / 2**20:g} MB of drawing instructions")

    def operator(self, operator, operands, cm, tm) -> None:
        """pypdf's visitor of each operator: stops the extraction once past a budget."""
        self.operators += 1
        if self.operators > LIMITS["max_operators"] or not self.operators % 1000:
            try:
                self.check()
            except LoaderError as e:
                raise _Stop(e) from None

    def check(self) -> None:
        if self.operators > LIMITS["max_operators"]:
            self._refuse(f"more than {LIMITS['max_operators']} drawing operators")
        if time.monotonic() > self.deadline:
            raise LoaderError(
                self.source,
                None,
                f"reading the PDF's text took more than {LIMITS['max_seconds']:g} s (at page {self.page} of "
                f"{self.pages}): refused as a possible bomb (a Delve export reads in about a second; "
                "export the transcript from Delve again)",
            )

    def _refuse(self, what: str) -> None:
        raise LoaderError(
            self.source,
            None,
            f"the PDF's pages hold {what} (at page {self.page} of {self.pages}): refused as a possible bomb "
            "(a Delve export of 35 pages holds 0.5 MB and 18,000 operators; export the transcript again)",
        )


class _Stop(BaseException):  # not an Exception: pypdf logs and skips those inside a form XObject
    """Carries a budget's LoaderError out of pypdf's text extraction."""

    def __init__(self, error: LoaderError) -> None:
        super().__init__(str(error))
        self.error = error


def _resolve(value):
    """An indirect PDF object's target (other values as they are)."""
    return value.get_object() if hasattr(value, "get_object") else value


def classify(runs: list[Run], source: Path | str = "<pdf>") -> tuple[Run, list[Block]]:
    """The title run and the labels, paragraphs and tags of a Delve PDF, from the type sizes.

    Raises
    ------
    LoaderError
        If no run stands out as a title in large type (not a Delve print view).
    """
    body = Counter(r.size for r in runs if not r.bold).most_common(1)[0][0]
    title = next((r for r in runs if r.size > 1.2 * body), None)
    if title is None:
        raise LoaderError(source, None, "not a Delve print-view PDF (no title in large type)")
    footer = {(r.page, r.y) for r in runs if r.size == body and r.text.strip().lower().startswith(_FOOTER)}
    pitch = _line_pitch([r for r in runs if not r.bold and 0.95 * body <= r.size <= 1.2 * body and r is not title])
    blocks: list[Block] = []
    paragraph: list[Run] = []
    label_at = None  # (page, y) of the label just read: a label drawn in two runs is one label

    def close() -> None:
        if paragraph:
            blocks.append(Block(TEXT, _join(paragraph), paragraph[0].page))
            paragraph.clear()

    for run in runs:
        if run is title or run.size < 0.65 * body or (run.page, run.y) in footer:
            continue  # the title, page headers and footers
        if run.size < 0.95 * body:
            close()
            blocks.append(Block(TAG, _SPACE.sub(" ", run.text).strip(), run.page))
        elif run.bold and run.size <= 1.05 * body:
            close()
            if label_at == (run.page, run.y):
                blocks[-1] = Block(LABEL, f"{blocks[-1].text} {run.text.strip()}", run.page)
            else:
                blocks.append(Block(LABEL, run.text.strip(), run.page))
            label_at = (run.page, run.y)
            continue
        elif run.size <= 1.2 * body:
            if paragraph and run.page == paragraph[-1].page and run.y - paragraph[-1].y > 1.5 * pitch:
                close()  # a paragraph break inside the turn
            paragraph.append(run)
        label_at = None
    close()
    return title, blocks


def _line_pitch(body_runs: list[Run]) -> float:
    """The usual distance between two lines of body text on a page: the most frequent, the
    smallest of equally frequent ones (a short file); infinite without two lines on a page."""
    gaps = Counter(round(b.y - a.y) for a, b in zip(body_runs, body_runs[1:]) if a.page == b.page and b.y > a.y)
    return float(min(gaps, key=lambda gap: (-gaps[gap], gap))) if gaps else float("inf")


def _join(runs: list[Run]) -> str:
    """Body runs as one paragraph: a run on a new line starts a new word."""
    parts = [runs[0].text]
    for before, run in zip(runs, runs[1:]):
        new_line = (run.page, run.y) != (before.page, before.y)
        parts.append(run.text if run.text[:1].isspace() or not new_line else " " + run.text)
    return _SPACE.sub(" ", "".join(parts)).strip()


def is_page_header(line: str) -> bool:
    """True for the two lines Delve prints at the top of every page (as extracted text).

    >>> is_page_header("6/4/23, 5:45 PM 2023-06-04-Interview 19 - PO")
    True
    >>> is_page_header("https://app.delvetool.com/transcripts/87692/print 4/16")
    True
    """
    text = line.strip()
    return bool(_DATE_LINE.match(text) or _URL_LINE.match(text))

"""Load Delve "print view" PDF exports.

pypdf extracts the text; every page starts with a header (date and time, title, the print URL,
``k/N``) that can fall anywhere, even between a paragraph and its code lines, so header lines
are dropped wherever they are. Lines wrapped by the PDF are joined back into paragraphs (a
paragraph ends at a speaker label or a code line), and the result is read as a Delve text export.
"""
from __future__ import annotations

import dataclasses
import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from graph.errors import LoaderError
from graph.model import Interview
from loaders import delve_text

__all__ = ["load", "parse_pdf", "paragraphs", "is_page_header"]

logger = logging.getLogger(__name__)

FORMAT = "delve-pdf"
# limits against hostile or runaway files: a Delve transcript is a few dozen pages
LIMITS = {"max_bytes": 50 * 1024 * 1024, "max_pages": 1000}
_DATE_LINE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4},\s+\d{1,2}:\d{2}\s*[AP]M\b")
_URL_LINE = re.compile(r"^https?://\S+\s+\d+\s*/\s*\d+\s*$")


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
    from pypdf import PdfReader

    if len(data) > LIMITS["max_bytes"]:
        raise LoaderError(source, None, f"PDF of {len(data)} bytes refused (limit {LIMITS['max_bytes']})")
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > LIMITS["max_pages"]:
            raise LoaderError(source, None, f"PDF of {len(reader.pages)} pages refused (limit {LIMITS['max_pages']})")
        lines = [line for page in reader.pages for line in (page.extract_text() or "").splitlines()]
    except LoaderError:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf on untrusted bytes raises many kinds (loops, bad streams)
        raise LoaderError(source, None, f"not a readable PDF ({type(e).__name__}: {e})") from e
    if not any(line.strip() for line in lines):
        raise LoaderError(source, None, "the PDF has no extractable text (scanned pages?); export it from Delve again")
    return dataclasses.replace(delve_text.parse(paragraphs(lines), source=source), format=FORMAT)


def is_page_header(line: str) -> bool:
    """True for the two lines Delve prints at the top of every page.

    >>> is_page_header("6/4/23, 5:45 PM 2023-06-04-Interview 19 - PO")
    True
    >>> is_page_header("https://app.delvetool.com/transcripts/87692/print 4/16")
    True
    """
    text = line.strip()
    return bool(_DATE_LINE.match(text) or _URL_LINE.match(text))


def paragraphs(lines: Sequence[str]) -> list[str]:
    """Lines of a Delve text export from PDF text: headers dropped, wrapped lines re-joined,
    one paragraph, speaker label or code line each, separated by blank lines.

    >>> paragraphs(["6/4/23, 5:45 PM x", "https://a.b/print 1/2", "Interview 9 - PO", "Interviewee",
    ...             "We lost", "6/4/23, 5:45 PM x", "https://a.b/print 2/2", "the labels.", "Data-missing-values"])
    ['Interview 9 - PO', '', 'Interviewee', '', 'We lost the labels.', '', 'Data-missing-values']
    """
    kept = [line.strip() for line in lines
            if line.strip() and not is_page_header(line) and not delve_text.is_noise_line(line.strip())]
    labels = delve_text.speaker_labels(kept[1:])
    out: list[str] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            out.append(" ".join(paragraph))
            paragraph.clear()

    for index, line in enumerate(kept):
        if index == 0 or line in labels or delve_text.code_tags(line):
            close()
            out.append(line)
        else:
            paragraph.append(line)
    close()
    return [item for line in out for item in (line, "")][:-1]

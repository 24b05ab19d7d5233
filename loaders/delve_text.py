"""Load Delve text exports: a title ``Interview N - Coder``, speakers on their own lines,
code tags on the lines after the paragraph they code.

Stray OCR fragments (lines with tabs, lines of one or two symbols) and Delve's trailing
"Created with the Delve…" line are noise: ignored, never turned into turns or codes.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from graph.errors import LoaderError
from graph.model import Coding, Interview, Turn, slugify
from graph.speakers import identify_speakers, is_generic_label, is_interviewer_label, with_roles
from loaders.text import read_lines

__all__ = ["load", "parse", "parse_title", "is_code_line", "code_tags", "is_noise_line", "looks_like_delve", "speaker_labels"]

FORMAT = "delve-text"
_TITLE = re.compile(r"^(?P<title>\S.*?)\s+[-–]\s+(?P<coder>[^-–]+?)\s*$")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+$")
_INTERJECTIONS = {"mm-hmm", "uh-huh", "uh-oh", "hmm-mm", "mm-mm", "mhm-hmm", "um-hum"}
_DELVE_FOOTER = "created with the delve"
_TWO_ALNUM = re.compile(r"[^\W_].*?[^\W_]")


def load(path: Path) -> Interview:
    """Read one Delve text export."""
    return parse(read_lines(path), source=path)


def parse_title(line: str) -> tuple[str, str] | None:
    """Split a Delve title into interview title and coder.

    >>> parse_title("Interview 35 - Ilan")
    ('Interview 35', 'Ilan')
    """
    match = _TITLE.match(line.strip())
    return (match["title"], match["coder"]) if match else None


def is_code_line(line: str) -> bool:
    """True for a code tag such as ``QM-robustness-fix`` (one hyphenated token).

    >>> is_code_line("Data-missing-values"), is_code_line("Mm-hmm"), is_code_line("Yes.")
    (True, False, False)
    """
    token = line.strip()
    return bool(_CODE.match(token)) and token.lower() not in _INTERJECTIONS


def code_tags(line: str) -> list[str]:
    """The code tags on a line: one, or several separated by spaces (as Delve PDFs print them);
    an empty list when the line is not made of code tags only.

    >>> code_tags("Data-integration-issues  Data-metadata-issue"), code_tags("Mm-hmm yes")
    (['Data-integration-issues', 'Data-metadata-issue'], [])
    """
    tokens = line.split()
    return tokens if tokens and all(is_code_line(t) for t in tokens) else []


def is_noise_line(line: str) -> bool:
    """True for OCR fragments and Delve's footer.

    >>> is_noise_line("Inter\\tVIA.\\tMAR\\t1"), is_noise_line("ı"), is_noise_line("Yes.")
    (True, True, False)
    """
    if "\t" in line.strip(" ") or line[:30].lower().startswith(_DELVE_FOOTER):
        return True
    return not _TWO_ALNUM.search(line) and not line.strip().isdigit()


def looks_like_delve(lines: Sequence[str]) -> bool:
    """True if the text has a Delve title or footer."""
    first = next((x for x in lines if x.strip()), "")
    footer = any(x.lower().startswith(_DELVE_FOOTER) for x in lines[-5:])
    return footer or (parse_title(first) is not None and first.lower().startswith("interview"))


def parse(lines: Sequence[str], source: Path | str = "<text>") -> Interview:
    """Parse the lines of a Delve text export.

    Raises
    ------
    LoaderError
        If the title line is missing or a code tag comes before any paragraph.

    Examples
    --------
    >>> iv = parse(["Interview 35 - Ilan", "", "Interviewee", "", "Data was missing.", "",
    ...             "Data-missing-values"])
    >>> iv.id, iv.coders, [(c.code, c.coder, c.positions) for c in iv.codings]
    ('interview-35', ('Ilan',), [('Data-missing-values', 'Ilan', (0,))])
    """
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    title = parse_title(lines[first]) if first is not None else None
    if title is None:
        line = (first or 0) + 1
        raise LoaderError(source, line, "expected a Delve title line 'Interview N - Coder'")
    interview_title, coder = title
    interview_id = slugify(interview_title)
    body = list(enumerate(lines, start=1))[first + 1 :]
    labels = speaker_labels([x for _, x in body])

    turns: list[Turn] = []
    coded: dict[str, dict[int, int]] = defaultdict(dict)  # code -> {turn position: line}
    speaker = ""
    for lineno, raw in body:
        line = raw.strip()
        if not line or is_noise_line(raw):
            continue
        tags = code_tags(line)
        if tags:
            if not turns:
                raise LoaderError(source, lineno, f"code tag {tags[0]!r} before any paragraph")
            for tag in tags:
                coded[tag].setdefault(turns[-1].position, lineno)
        elif line in labels:
            speaker = line
        else:
            turns.append(Turn(speaker, line, len(turns), lineno))

    codings = tuple(
        Coding(code, coder, run, positions[run[0]])
        for code, positions in coded.items()
        for run in _runs(list(positions))
    )
    speakers = identify_speakers(turns, interview_id, interview_title)
    messages = () if codings else ("no code tags found: loaded as an uncoded interview",)
    return Interview(
        id=interview_id,
        title=interview_title,
        source=Path(str(source)).name,
        format=FORMAT,
        turns=with_roles(turns, speakers),
        speakers=speakers,
        codings=codings,
        coders=(coder,),
        messages=messages,
    )


def speaker_labels(lines: Sequence[str]) -> set[str]:
    """Short label-like lines that name interviewers, generic speakers, or recur 3+ times."""
    counts = Counter(x.strip() for x in lines if _label_like(x))
    return {
        label
        for label, n in counts.items()
        if n >= 3 or is_interviewer_label(label) or is_generic_label(label)
    }


def _label_like(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= 40
        and len(text.split()) <= 4
        and text[0].isupper()
        and text[-1] not in ".,;:?!…"
        and not code_tags(text)
    )


def _runs(positions: list[int]) -> list[tuple[int, ...]]:
    """Group sorted turn positions into runs of consecutive turns.

    >>> _runs([1, 2, 3, 7, 9, 10])
    [(1, 2, 3), (7,), (9, 10)]
    """
    runs: list[list[int]] = []
    for p in sorted(positions):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return [tuple(r) for r in runs]

"""Load Delve text exports: a title ``Interview N - Coder``, speakers on their own lines,
code tags on the lines after the paragraph they code.

Every line is classified once as a speaker label, a code tag or a paragraph; the PDF loader
classifies runs by their layout instead and shares :func:`build_interview`. Code tags are
recognised by shape (``QM-robustness-fix``, ``Q4.4``, ``Quality-Measures (QM)``), by the
codebook's known codes, and, for plain words (``monitoring``, ``Issues with performance
alerts``), by where they stand: right after a paragraph or another tag. Tags read that way are
listed in the interview's messages so that an analyst can check them.

A known label glued to a name (``Interviewer:ANONYMIZED_NAME``) on a line of its own is that
speaker's label, as in plain transcripts (:func:`~challenge_graph.loaders.plain_text.glued_label`).

Stray OCR fragments (lines with tabs, lines of one or two symbols) and Delve's trailing
"Created with the Delve…" line are noise, unless a code tag follows them: a tagged paragraph
is never noise.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Coding, Interview, Turn, slugify
from challenge_graph.graph.speakers import identify_speakers, is_generic_label, is_interviewer_label, with_roles
from challenge_graph.loaders.plain_text import glued_label, glued_speech, speaker_label
from challenge_graph.loaders.text import read_lines

__all__ = [
    "Block",
    "LABEL",
    "TEXT",
    "TAG",
    "load",
    "parse",
    "parse_title",
    "build_interview",
    "is_code_line",
    "code_tags",
    "is_noise_line",
    "looks_like_delve",
    "speaker_labels",
]

FORMAT = "delve-text"
LABEL, TEXT, TAG = "label", "text", "tag"
_TITLE = re.compile(r"^(?P<title>\S.*?\S)\s*[-–—]\s*(?P<coder>[^-–—]*[^\s\-–—])\s*$")
_FILE_SUFFIX = re.compile(r"\.(txt|pdf|docx?|rtf|md)$", re.IGNORECASE)
_TAG_WORD = r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+"  # Data-missing-values
_HYPHENATED = re.compile(rf"^{_TAG_WORD}$")
_FIRST_HYPHENATED = re.compile(rf"{_TAG_WORD}(?=\s|\Z)")  # a line's first word
_NUMBERED = re.compile(r"^[A-Z]{1,3}\d+(?:\.\d+)*[a-z]?$")  # Q1, Q4.4, RQ2
_ABBREVIATED = re.compile(r"^[A-Za-z][\w\- ]{0,60}[\w]\s+(?:\[[A-Z]{1,6}\]|\([A-Z]{1,6}\))$")  # Quality-Measures (QM)
_WORDS = re.compile(r"^[^\W\d_][\w\-&/' ]{0,59}$")
_INTERJECTIONS = {
    "mm-hmm",
    "uh-huh",
    "uh-oh",
    "hmm-mm",
    "mm-mm",
    "mhm-hmm",
    "um-hum",
    "yeah",
    "yes",
    "yep",
    "no",
    "nope",
    "okay",
    "ok",
    "right",
    "sure",
    "exactly",
    "hmm",
    "mm",
    "mhm",
    "uh",
    "um",
    "thanks",
    "thank you",
    "true",
    "cool",
    "perfect",
    "great",
    "alright",
    "all right",
    "good",
    "nice",
    "wow",
    "oh",
    "ah",
    "i see",
    "indeed",
}
_DELVE_FOOTER = "created with the delve"
_LONGEST_INTERJECTION = max(map(len, _INTERJECTIONS))
_TWO_ALNUM = re.compile(r"[^\W_].*?[^\W_]")


@dataclass(frozen=True)
class Block:
    """One classified item of a Delve export, in reading order: a speaker label, a paragraph or
    one code tag; ``line`` is the line (text export) or page (PDF) it stands on."""

    kind: str
    text: str
    line: int


def load(path: Path, known_codes: Collection[str] = ()) -> Interview:
    """Read one Delve text export."""
    return parse(read_lines(path), source=path, known_codes=known_codes)


def parse_title(line: str) -> tuple[str, str] | None:
    """Split a Delve title into interview title and coder (a file suffix typed into the
    coder's name is dropped).

    >>> parse_title("Interview 35 - Ilan"), parse_title("Interview 17- PO"), parse_title("Interview 20 - Ana.txt")
    (('Interview 35', 'Ilan'), ('Interview 17', 'PO'), ('Interview 20', 'Ana'))
    """
    match = _TITLE.match(line.strip())
    if not match:
        return None
    coder = _FILE_SUFFIX.sub("", match["coder"]).strip()
    return (match["title"], coder) if coder else None


def is_code_line(line: str, known_codes: Collection[str] = ()) -> bool:
    """True for a line that can only be a code tag: hyphenated (``QM-robustness-fix``),
    numbered (``Q4.4``), with an abbreviation (``Model-Evaluation-issues [ME]``), or a code the
    codebook knows (``known_codes``, compared case-insensitively).

    >>> [is_code_line(x) for x in ("Data-missing-values", "Q4.4", "Quality-Measures (QM)", "Mm-hmm", "Yes.")]
    [True, True, True, False, False]
    """
    token = line.strip()
    # cheap tests first (a paragraph is none of these): lengths, and the bracket an abbreviation ends with
    if len(token) <= _LONGEST_INTERJECTION and token.casefold() in _INTERJECTIONS:
        return False
    if _HYPHENATED.match(token) or _NUMBERED.match(token) or (token[-1:] in ")]" and _ABBREVIATED.match(token)):
        return True
    if not known_codes:
        return False
    known = folded_codes(known_codes)
    return len(token) <= known.longest and token.casefold() in known  # folding never shortens a text


class FoldedCodes(frozenset):
    """Codes folded to lower case once, for case-insensitive lookups line after line."""

    @functools.cached_property
    def longest(self) -> int:
        """The length of the longest code: a longer line is none of them."""
        return max(map(len, self), default=0)


def folded_codes(codes: Collection[str]) -> FoldedCodes:
    """``codes`` case-folded (as given when already folded: parsers fold once per file)."""
    return codes if isinstance(codes, FoldedCodes) else FoldedCodes(c.casefold() for c in codes)


def code_tags(line: str, known_codes: Collection[str] = ()) -> list[str]:
    """The code tags on a line: the whole line, or several hyphenated tags separated by spaces;
    an empty list when the line is not made of code tags only.

    >>> code_tags("Data-integration-issues  Data-metadata-issue"), code_tags("Mm-hmm yes"), code_tags("Q1")
    (['Data-integration-issues', 'Data-metadata-issue'], [], ['Q1'])
    """
    return list(_line_tags(line.strip(), folded_codes(known_codes)))


REMEMBERED_LINE = 200  # characters: longer lines are prose, whose answer is quick to find again


def _line_tags(text: str, known_codes: FoldedCodes) -> tuple[str, ...]:
    """:func:`code_tags` of a stripped line. Short lines' answers are remembered: a parser asks
    for most of them twice (finding the speaker labels, then reading the paragraphs), and tag
    lines recur across files; a paragraph's words are not kept."""
    return _short_line_tags(text, known_codes) if len(text) <= REMEMBERED_LINE else _tags_of(text, known_codes)


def _tags_of(text: str, known_codes: FoldedCodes) -> tuple[str, ...]:
    if is_code_line(text, known_codes):
        return (text,)
    if not _FIRST_HYPHENATED.match(text):  # prose: the first word is no tag, so the line is not all tags
        return ()
    tokens = text.split()
    return tuple(tokens) if len(tokens) > 1 and all(_HYPHENATED.match(t) and is_code_line(t) for t in tokens) else ()


_short_line_tags = functools.lru_cache(maxsize=4096)(_tags_of)


def _word_tag(line: str, labels: Collection[str]) -> bool:
    """True for a short run of words without sentence punctuation (``monitoring``, ``Misc``,
    ``Issues with performance alerts``): a tag when it stands where tags stand."""
    text = line.strip()
    return (
        bool(_WORDS.match(text))
        and len(text.split()) <= 6
        and text not in labels
        and not is_noise_line(text)
        and text.casefold() not in _INTERJECTIONS
        and not is_generic_label(text)
        and not is_interviewer_label(text)
    )


def is_noise_line(line: str) -> bool:
    """True for OCR fragments and Delve's footer.

    >>> is_noise_line("Inter\\tVIA.\\tMAR\\t1"), is_noise_line("ı"), is_noise_line("Yes.")
    (True, True, False)
    """
    if "\t" in line.strip(" ") or line[:30].lower().startswith(_DELVE_FOOTER):
        return True
    return not _TWO_ALNUM.search(line) and not line.strip().isdigit()


def looks_like_delve(lines: Sequence[str]) -> bool:
    """True if the text has a Delve footer, or a title ``Interview N - Coder`` as its first line
    (a line that opens with a speaker label, ``Interviewer 1: … - …``, is a turn, never a title)."""
    first = next((x for x in lines if x.strip()), "")
    footer = any(x.lower().startswith(_DELVE_FOOTER) for x in lines[-5:])
    titled = parse_title(first) is not None and first.lower().startswith("interview")
    return footer or (titled and speaker_label(first) is None)


def parse(lines: Sequence[str], source: Path | str = "<text>", known_codes: Collection[str] = ()) -> Interview:
    """Parse the lines of a Delve text export (``known_codes``: the codebook's codes, which
    are read as tags whatever their shape).

    Raises
    ------
    LoaderError
        If the title line is missing or a code tag comes before any paragraph.

    Examples
    --------
    >>> iv = parse(["Interview 35 - Ilan", "", "Interviewee", "", "Data was missing.", "",
    ...             "Data-missing-values"])
    >>> iv.id, iv.coders, [(c.code, c.coder, c.positions) for c in iv.codings], iv.tags_read
    ('interview-35', ('Ilan',), [('Data-missing-values', 'Ilan', (0,))], 1)
    """
    first = next((i for i, x in enumerate(lines) if x.strip()), None)
    if first is None or parse_title(lines[first]) is None:
        raise LoaderError(source, (first or 0) + 1, "expected a Delve title line 'Interview N - Coder'")
    body = [(n, x.strip()) for n, x in enumerate(lines, start=1) if n > first + 1 and x.strip()]
    body = [(n, x) for n, x in body if not x.lower().startswith(_DELVE_FOOTER)]
    known_codes = folded_codes(known_codes)
    labels = speaker_labels([x for _, x in body], known_codes)
    blocks: list[Block] = []
    word_tags: Counter[str] = Counter()
    for index, (lineno, line) in enumerate(body):
        tags = list(_line_tags(line, known_codes))
        if not tags and blocks and blocks[-1].kind in (TEXT, TAG) and _word_tag(line, labels):
            following = body[index + 1][1] if index + 1 < len(body) else None
            if (
                following is None
                or following in labels
                or _line_tags(following, known_codes)
                or _word_tag(following, labels)
            ):
                tags = [line]
                word_tags[line] += 1
        if tags:
            blocks.extend(Block(TAG, tag, lineno) for tag in tags)
        elif line in labels:
            blocks.append(Block(LABEL, line, lineno))
        elif glued := glued_label(line, labels, [x for _, x in body[index + 1 : index + 2]]):
            blocks.append(Block(LABEL, glued, lineno))  # Interviewer:ANONYMIZED_NAME, the name dropped
            if said := glued_speech(line):  # Interviewer:Okay: a word said, kept
                blocks.append(Block(TEXT, said, lineno))
        elif is_noise_line(line) and not _tag_follows(body, index, known_codes):
            continue
        else:
            blocks.append(Block(TEXT, line, lineno))
    notes = ()
    if word_tags:
        listed = ", ".join(f"{t!r} ×{n}" for t, n in sorted(word_tags.items()))
        notes = (f"read as code tags by their place after a paragraph: {listed}",)
    return build_interview(lines[first], first + 1, blocks, source, FORMAT, notes)


def _tag_follows(body: list[tuple[int, str]], index: int, known_codes: Collection[str]) -> bool:
    return index + 1 < len(body) and bool(_line_tags(body[index + 1][1], known_codes))


def build_interview(
    title_line: str,
    title_lineno: int,
    blocks: Sequence[Block],
    source: Path | str,
    format: str,
    notes: tuple[str, ...] = (),
) -> Interview:
    """Turn classified blocks into an interview: each paragraph a turn of the last speaker,
    each tag a coding of the paragraph before it (consecutive paragraphs with the same tag are
    one coding).

    Raises
    ------
    LoaderError
        If the title is not ``Interview N - Coder`` or a tag comes before any paragraph.
    """
    title = parse_title(title_line)
    if title is None:
        raise LoaderError(source, title_lineno, "expected a Delve title line 'Interview N - Coder'")
    interview_title, coder = title
    interview_id = slugify(interview_title)
    turns: list[Turn] = []
    coded: dict[str, dict[int, int]] = defaultdict(dict)  # code -> {turn position: line}
    repeated: Counter[str] = Counter()
    speaker = ""
    for block in blocks:
        if block.kind == LABEL:
            speaker = block.text
        elif block.kind == TEXT:
            turns.append(Turn(speaker, block.text, len(turns), block.line))
        elif not turns:
            raise LoaderError(source, block.line, f"code tag {block.text!r} before any paragraph")
        elif turns[-1].position in coded[block.text]:
            repeated[block.text] += 1
        else:
            coded[block.text][turns[-1].position] = block.line
    tags_read = sum(1 for b in blocks if b.kind == TAG)
    codings = tuple(
        Coding(code, coder, run, positions[run[0]], source=Path(str(source)).name)
        for code, positions in coded.items()
        for run in _runs(list(positions))
    )
    speakers = identify_speakers(turns, interview_id, interview_title)
    messages = list(notes)
    if repeated:
        messages.append(
            "tags repeated on the same paragraph, counted once: "
            + ", ".join(f"{t!r} ×{n}" for t, n in sorted(repeated.items()))
        )
    if not codings:
        messages.append("no code tags found: loaded as an uncoded interview")
    return Interview(
        id=interview_id,
        title=interview_title,
        source=Path(str(source)).name,
        format=format,
        turns=with_roles(turns, speakers),
        speakers=speakers,
        codings=codings,
        coders=(coder,) if codings else (),
        messages=tuple(messages),
        tags_read=tags_read,
        file_coder=coder,
    )


def speaker_labels(lines: Sequence[str], known_codes: Collection[str] = ()) -> set[str]:
    """Short label-like lines that name interviewers, generic speakers, or recur 3+ times;
    code tags, and lines mostly followed by a code tag, are never labels."""
    known_codes = folded_codes(known_codes)
    counts: Counter[str] = Counter()
    before_tag: Counter[str] = Counter()  # a speaker label is never followed by a tag
    stripped = [x.strip() for x in lines if x.strip()]
    for index, text in enumerate(stripped):
        if _label_like(text, known_codes):
            counts[text] += 1
            following = stripped[index + 1] if index + 1 < len(stripped) else ""
            before_tag[text] += bool(_line_tags(following, known_codes))
    return {
        label
        for label, n in counts.items()
        if (n >= 3 or is_interviewer_label(label) or is_generic_label(label)) and before_tag[label] * 2 <= n
    }


def _label_like(line: str, known_codes: Collection[str] = ()) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= 40
        and len(text.split()) <= 4
        and (text[0].isupper() or is_interviewer_label(text) or is_generic_label(text))
        and text[-1] not in ".,;:?!…"
        and not code_tags(text, known_codes)
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

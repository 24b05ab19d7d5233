"""Load plain transcripts with speaker turns (``Name:`` inline or on its own line).

Continuation lines (tab-indented or not) belong to the current turn; a blank line followed by
the same ``Name:`` starts a new turn. ``load(path)`` wraps ``parse(lines)``.

A known label glued to one capitalised word on a line of its own, with the speech on the next
lines (``Interviewer:ANONYMIZED_NAME``, as in Jiang et al.'s transcripts), is that speaker's
label: the word is the speaker's (redacted) name, not speech, and is dropped, so the turn is
``Interviewer``'s like the file's other ``Interviewer:`` turns. The same words followed by
another label line (``Speaker2:Yes`` then ``Speaker1:Ok``) are not read that way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Interview, Turn, slugify
from challenge_graph.graph.speakers import identify_speakers, is_generic_label, is_interviewer_label, with_roles
from challenge_graph.loaders.text import read_lines

__all__ = ["load", "parse", "speaker_label", "glued_label", "glued_speech", "looks_like_transcript"]

FORMAT = "plain-transcript"
_PSEUDONYM = re.compile(r"^[A-Z][A-Za-z]*\s?\d+$")  # P7, Leader 4, Engineer 12
# ``Name: text``; CJK transcripts write ``Speaker2:教育背景是…`` (no space, often a full-width colon)
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w .'’()-]{0,39}?)\s*(?::(?:\s+|$|(?=[^\x00-\u2fff]))|：\s*)(?P<text>.*)$")
# ``Interviewer:ANONYMIZED_NAME``: a label glued to a name (one capitalised word or ``[NAME]``)
# words said at the start of a turn, never a redacted name glued to a label
_SPOKEN = {"okay", "ok", "yes", "yeah", "yep", "no", "nope", "right", "sure", "so", "well", "thanks", "hi", "hello"}
_SPOKEN |= {"um", "uh", "hmm", "mm", "alright", "great", "good", "fine", "cool", "perfect", "exactly", "true", "and"}
_GLUED = re.compile(r"^(?P<label>[^\W\d_][\w .'’()-]{0,39}?):(?P<name>[A-Z][\w.'’-]*|\[[^\]\s]+\])$")


def load(path: Path) -> Interview:
    """Read one plain transcript file; its title and id come from the file name."""
    path = Path(path)
    return parse(read_lines(path), source=path, title=path.stem)


def parse(lines: Sequence[str], source: Path | str = "<text>", title: str = "") -> Interview:
    """Parse transcript lines into an uncoded interview.

    Raises
    ------
    LoaderError
        If no line carries a speaker label.

    Examples
    --------
    >>> iv = parse(["Interviewer:", "What was hard?", "", "Leader 4: The loss.", "\\tIt was."], title="t")
    >>> [(t.speaker, t.role, t.text) for t in iv.turns]
    [('Interviewer', 'interviewer', 'What was hard?'), ('Leader 4', 'participant', 'The loss.\\nIt was.')]
    """
    labels = _speaker_labels(lines)
    if not labels:
        raise LoaderError(source, None, "no speaker labels found (expected 'Name:' at the start of a line)")
    title = title or Path(str(source)).stem
    interview_id = slugify(title)
    turns: list[Turn] = []
    speaker, start, parts = "", 0, []

    def close() -> None:
        text = "\n".join(p for p in parts if p)
        if text:
            turns.append(Turn(speaker, text, len(turns), start))

    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        match = _LABEL.match(line) if line else None
        if match and match["label"].strip() in labels:
            close()
            speaker, start, parts = match["label"].strip(), lineno, [match["text"] or ""]
            continue
        glued = glued_label(line, labels, lines[lineno:]) if line else None
        if glued:
            close()
            speaker, start, parts = glued, lineno, [glued_speech(line)]
            continue
        if not line:
            continue
        if not parts:
            start = lineno
        parts.append(line)
    close()
    speakers = identify_speakers(turns, interview_id, title)
    return Interview(
        id=interview_id,
        title=title,
        source=Path(str(source)).name,
        format=FORMAT,
        turns=with_roles(turns, speakers),
        speakers=speakers,
    )


def speaker_label(line: str) -> str | None:
    """The speaker label that starts ``line``, if it looks like one.

    >>> speaker_label("Speaker 2: Yes."), speaker_label("http://x.org: no")
    ('Speaker 2', None)
    """
    match = _LABEL.match(line.strip())
    if not match or "http" in match["label"].lower():
        return None
    label = match["label"].strip()
    return label if len(label.split()) <= 4 else None


def glued_label(line: str, labels: Collection[str], following: Sequence[str] = ()) -> str | None:
    """The label of a line ``Label:Name`` (a known label, or an interviewer's or generic one,
    glued to one capitalised word or ``[NAME]``), when the next non-blank line of ``following``
    is speech rather than another label line; ``None`` otherwise.

    >>> glued_label("Interviewer:ANONYMIZED_NAME", {"Leader 2"}, ["So what broke?"])
    'Interviewer'
    >>> glued_label("Note:the", {"Note"}, ["x"]), glued_label("Speaker2:Yes", {"Speaker2"}, ["Speaker1:Ok"])
    (None, None)
    >>> glued_label("Interviewer:Okay", {"Leader 2"}, ["So what broke?"])  # a word said: see glued_speech
    'Interviewer'
    """
    match = _GLUED.match(line.strip())
    if not match:
        return None
    label = match["label"].strip()
    if label not in labels and not is_interviewer_label(label) and not is_generic_label(label):
        return None
    after = next((x.strip() for x in following if x.strip()), "")
    if not after or after in labels or speaker_label(after) in labels or _GLUED.match(after):
        return None
    return label


def glued_speech(line: str) -> str:
    """What a glued label's line says: the word after the colon when it is a word said
    (``Interviewer:Okay``), not a redacted name (``Interviewer:ANONYMIZED_NAME``); else "".

    >>> glued_speech("Interviewer:Okay"), glued_speech("Interviewer:ANONYMIZED_NAME")
    ('Okay', '')
    """
    match = _GLUED.match(line.strip())
    return match["name"] if match and match["name"].casefold() in _SPOKEN else ""


def looks_like_transcript(lines: Sequence[str]) -> bool:
    """True if some speaker label recurs, as in a transcript."""
    return bool(_speaker_labels(lines))


def _speaker_labels(lines: Sequence[str]) -> set[str]:
    """Labels that are speakers: recurring, on their own line, opening a paragraph,
    interviewer/generic names, or pseudonyms such as ``P7``. ``Note:`` once inside a turn is text."""
    counts: Counter[str] = Counter()
    clear: set[str] = set()  # on its own line, or opening a paragraph
    previous = ""
    for line in lines:
        label = speaker_label(line)
        if label:
            counts[label] += 1
            if line.strip().rstrip(":").strip() == label or not previous.strip():
                clear.add(label)
        previous = line
    return {
        label
        for label, n in counts.items()
        if n >= 2 or label in clear or is_interviewer_label(label) or is_generic_label(label) or _PSEUDONYM.match(label)
    }

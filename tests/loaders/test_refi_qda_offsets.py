"""REFI-QDA selection offsets: Unicode code points (the standard) or UTF-16 code units (NVivo).

Each project is built here with emoji and other characters outside the Basic Multilingual Plane
(two UTF-16 units each) before the selected words; the UTF-16 offsets are counted by encoding the
text before each word, never by the loader's own conversion.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders.refi_qda import parse_qdpx

# 😀 🎉 🙁 (emoji), 𝐀𝐁 (mathematical bold letters), 𠀀 (a CJK ideograph of extension B): each
# two UTF-16 units; é and — stay in the BMP (one unit each)
TEXT = (
    "Interviewer: How did the café pilot go? 😀😀\n\n"
    "P1: The 𝐀𝐁 labels 🎉 were late — very late.\n\n"
    "P1: 𠀀 And the data was missing 🙁 for weeks.\n\n"
    "P1: Fine, in the end, after a long wait.\n"
)
WORDS = {"labels": "late", "missing": "data", "Fine": "fine", "pilot": "pilot"}  # word -> code


def _units(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index``: the units the text before it encodes to."""
    return len(text[:index].encode("utf-16-le")) // 2


def _selections(text: str, unit: str, words=WORDS) -> str:
    out = []
    for n, (word, code) in enumerate(words.items()):
        start = text.index(word)
        end = start + len(word)
        if unit == "utf16":
            start, end = _units(text, start), _units(text, end)
        out.append(
            f'<PlainTextSelection guid="s{n}" startPosition="{start}" endPosition="{end}" creatingUser="u1">'
            f'<Coding guid="k{n}" creatingUser="u1"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        )
    return "".join(out)


def _qdpx(selections: str, origin: str, text: str = TEXT) -> bytes:
    codes = "".join(f'<Code name="{c}" guid="{c}"/>' for c in sorted(set(WORDS.values())))
    project = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" origin="{origin}"><Users><User name="ana" guid="u1"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
        '<Sources><TextSource name="p1" plainTextPath="internal://p1.txt" guid="t1">'
        f"{selections}</TextSource></Sources></Project>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", project)
        z.writestr("sources/p1.txt", text.encode("utf-8"))
    return out.getvalue()


def _coded_turns(iv) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.code, tuple(iv.turns[p].text for p in c.positions)) for c in iv.codings]


def _expected(text: str = TEXT, words=WORDS) -> list[tuple[str, tuple[str, ...]]]:
    """Each code with the one paragraph (label and blank lines aside) holding its word."""
    paragraphs = [p.split(": ", 1)[1].strip() for p in text.split("\n\n")]
    return [(code, tuple(p for p in paragraphs if word in p)) for word, code in words.items()]


def test_the_text_holds_astral_characters_so_the_two_readings_differ():
    assert sum(ord(c) > 0xFFFF for c in TEXT) == 7
    assert _units(TEXT, TEXT.index("Fine")) == TEXT.index("Fine") + 7


@pytest.mark.parametrize("origin", ["NVivo 12 Plus (12.6.1.970)", "NVivo14"])
def test_nvivo_projects_count_utf16_units(origin):
    [iv] = parse_qdpx(_qdpx(_selections(TEXT, "utf16"), origin), "nvivo.qdpx")
    assert _coded_turns(iv) == _expected()
    assert any("offsets read as UTF-16 code units" in m and "NVivo" in m for m in iv.messages), iv.messages


def test_utf16_offsets_are_found_by_word_boundaries_when_the_origin_does_not_say():
    [iv] = parse_qdpx(_qdpx(_selections(TEXT, "utf16"), "SomeTool 1.0"), "other.qdpx")
    assert _coded_turns(iv) == _expected()
    [message] = [m for m in iv.messages if "offsets read as" in m]
    # every selection is a whole word counted in UTF-16 units: its 2 ends on word boundaries each
    assert "UTF-16 code units" in message and f"{2 * len(WORDS)} of the {2 * len(WORDS)} selection ends" in message


@pytest.mark.parametrize("origin", ["ATLAS.ti 23", "MAXQDA 2022", "QualCoder 3.5", ""])
def test_code_point_offsets_stay_code_points(origin):
    [iv] = parse_qdpx(_qdpx(_selections(TEXT, "points"), origin), "std.qdpx")
    assert _coded_turns(iv) == _expected()
    [message] = [m for m in iv.messages if "offsets read as" in m]
    assert "Unicode code points" in message and f"{2 * len(WORDS)} of the {2 * len(WORDS)} selection ends" in message


def test_a_tie_is_read_as_code_points_as_the_standard_says():
    """A selection of the whole text ends on boundaries either way: code points."""
    whole = (
        f'<PlainTextSelection guid="s" startPosition="0" endPosition="{len(TEXT)}">'
        '<Coding guid="k" creatingUser="u1"><CodeRef targetGUID="late"/></Coding></PlainTextSelection>'
    )
    [iv] = parse_qdpx(_qdpx(whole, "SomeTool"), "tie.qdpx")
    assert len(iv.codings[0].positions) == len(iv.turns) == 4
    assert any("offsets read as Unicode code points" in m for m in iv.messages)


def test_offsets_past_the_text_in_code_points_are_utf16_units_whatever_the_origin():
    words = {"Fine": "fine"}  # the last word: its UTF-16 end lies past the text's end in code points
    text = TEXT.replace("Fine, in the end, after a long wait.\n", "Fine")
    [iv] = parse_qdpx(_qdpx(_selections(text, "utf16", words), "ATLAS.ti 23", text), "end.qdpx")
    assert _units(text, len(text)) > len(text)
    assert _coded_turns(iv) == _expected(text, words)
    assert any("UTF-16 code units" in m and "past their text" in m for m in iv.messages)


def test_offsets_past_the_text_either_way_are_refused():
    bad = '<PlainTextSelection guid="s" startPosition="0" endPosition="999"><Coding guid="k"/></PlainTextSelection>'
    with pytest.raises(LoaderError, match=r"has offsets 0-999 outside the text \(\d+ characters\)"):
        parse_qdpx(_qdpx(bad, "NVivo 12"), "bad.qdpx")


def test_an_offset_inside_a_surrogate_pair_still_loads():
    start = _units(TEXT, TEXT.index("🎉")) + 1  # between the two units of 🎉
    odd = (
        f'<PlainTextSelection guid="s" startPosition="{start}" endPosition="{start + 6}">'
        '<Coding guid="k" creatingUser="u1"><CodeRef targetGUID="late"/></Coding></PlainTextSelection>'
    )
    [iv] = parse_qdpx(_qdpx(odd, "NVivo 12"), "odd.qdpx")
    assert [iv.turns[p].text for p in iv.codings[0].positions] == ["The 𝐀𝐁 labels 🎉 were late — very late."]


def test_without_astral_characters_both_readings_agree_and_nothing_is_said():
    text = TEXT.translate({ord(c): None for c in "😀🎉🙁𝐀𝐁𠀀"})
    [iv] = parse_qdpx(_qdpx(_selections(text, "points"), "NVivo 12", text), "bmp.qdpx")
    assert _coded_turns(iv) == _expected(text)
    assert not any("offsets read as" in m for m in iv.messages)

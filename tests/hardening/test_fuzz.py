"""Property-based tests of every text loader and the codebook reader: any input gives records or
a LoaderError naming the file, never another exception, within a bounded time; transcripts keep
all their content."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenge_graph.graph.codebook import parse_codebook
from challenge_graph.graph.errors import LoaderError
from challenge_graph.graph.model import Interview, SourceFile
from challenge_graph.loaders import parse_source, plain_text

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["notes.txt", "x.codings.yaml", "t.csv", "Interview 3 - Ana.txt"]
LINE = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "Interviewer:",
            "P1:",
            "Speaker 2:",
            "Interviewee",
            "Interviewer 1",
            "Data-missing-values",
            "QM-robustness-fix",
            "Interview 9 - Ana",
            "Created with the Delve Qualitative Analysis Tool",
            "\tVIA.\tMAR",
            "- 1. How long?",
            "transcript: t.txt",
            "codings:",
            "  - {code: A-b, quote: x}",
        ]
    ),
    st.text(alphabet=string.ascii_letters + " :-\t", max_size=60),
    st.just("x" * 5000),
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def _parse(name: str, data: bytes):
    try:
        return parse_source(SourceFile(name, data))
    except LoaderError as e:
        assert str(e).startswith(name), e  # the message names the file
        return None


@FUZZ
@given(st.lists(LINE, max_size=40), ENDINGS, st.sampled_from(NAMES), st.booleans())
def test_any_text_loads_or_gives_a_loader_error(lines, ending, name, bom):
    data = ending.join(lines).encode("utf-8")
    _parse(name, (b"\xef\xbb\xbf" if bom else b"") + data)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(NAMES + ["a.pdf", "b.qdpx", "c.xlsx"]))
def test_any_bytes_load_or_give_a_loader_error(data, name):
    _parse(name, data)


SPEAKERS = st.sampled_from(["Interviewer", "P1", "Leader 4", "Speaker 2"])
WORDS = st.text(alphabet=string.ascii_lowercase + " .,?", min_size=1, max_size=80).filter(lambda t: t.strip())


@FUZZ
@given(
    st.lists(st.tuples(SPEAKERS, st.lists(WORDS, min_size=1, max_size=3), st.booleans()), min_size=2, max_size=20),
    ENDINGS,
)
def test_plain_transcripts_keep_every_line_of_content(turns, ending):
    lines = []
    for speaker, texts, own_line in turns:
        if own_line:
            lines += [f"{speaker}:", *texts]
        else:
            lines += [f"{speaker}: {texts[0]}", *[f"\t{t}" for t in texts[1:]]]
    interview = plain_text.parse(ending.join(lines).split(ending), title="t")
    assert isinstance(interview, Interview)
    joined = "\n".join(t.text for t in interview.turns)
    for _, texts, _ in turns:
        for text in texts:
            assert text.strip() in joined


@FUZZ
@given(st.text(max_size=400))
def test_any_codebook_text_parses_or_names_the_problem(text):
    try:
        parse_codebook(text, source="cb.yaml")
    except LoaderError as e:
        assert str(e).startswith("cb.yaml")


def test_regression_csv_with_cr_line_endings():
    """Found by the fuzzer: a CSV whose rows end in a bare CR crashed the csv module."""
    data = b"interview,speaker,text,code\rI1,P1,The loss.,Loss-complexity\r"
    [interview] = parse_source(SourceFile("t.csv", data))
    assert interview.codings[0].code == "Loss-complexity"

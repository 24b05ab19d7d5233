from __future__ import annotations

import pytest

from graph.errors import LoaderError
from loaders import delve_text
from tests.conftest import INTERVIEW_35, INTERVIEW_38

SEED_003_CODES = {
    "Data-collection-public-datasets", "Data-consistency-issues", "Data-duplicates",
    "Data-low-quality", "Data-missing-value-fix", "Data-missing-values", "Data-noisy-features",
    "MLP-costly-platforms", "QM-data-privacy-issue-fix", "QM-reproducibility", "QM-robustness",
    "QM-robustness-fix", "feedback-loop",
}


def test_seed_003_title_coder_and_all_13_codes():
    iv = delve_text.load(INTERVIEW_35)
    assert (iv.id, iv.title, iv.coders) == ("interview-35", "Interview 35", ("Ilan",))
    assert {c.code for c in iv.codings} == SEED_003_CODES
    assert {c.coder for c in iv.codings} == {"Ilan"}
    # "Interview 35 - Ilan" names the coder, never a participant
    assert all("Ilan" not in s.pseudonym for s in iv.speakers)
    assert {s.label: s.role for s in iv.speakers} == {"Interviewer 1": "interviewer", "Interviewee": "participant"}


def test_code_tags_cover_the_paragraph_before_them():
    iv = delve_text.load(INTERVIEW_35)
    turns = {t.position: t for t in iv.turns}
    missing = next(c for c in iv.codings if c.code == "Data-missing-values")
    assert [turns[p].text[:40] for p in missing.positions] == ["Complete information or that they were r"]
    assert missing.line == 49
    # a tag repeated on consecutive paragraphs is one coding over several turns
    duplicates = next(c for c in iv.codings if c.code == "Data-duplicates")
    assert len(duplicates.positions) == 4
    assert duplicates.positions == tuple(range(duplicates.positions[0], duplicates.positions[0] + 4))


def test_noise_and_footer_are_ignored():
    iv = delve_text.load(INTERVIEW_38)
    texts = [t.text for t in iv.turns]
    assert not any("VIA." in t or "Created with the Delve" in t or t in {"ı", "_"} for t in texts)
    assert texts[-1] == "Bye."


def test_uncoded_delve_export_loads_with_a_message():
    iv = delve_text.load(INTERVIEW_38)
    assert iv.codings == () and iv.coders == ("Amin",)
    assert iv.messages == ("no code tags found: loaded as an uncoded interview",)


def test_code_line_before_any_paragraph(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Interview 9 - Ana\n\nData-missing-values\n\nInterviewee\n\nText.\n")
    with pytest.raises(LoaderError) as e:
        delve_text.load(path)
    assert str(e.value) == f"{path}:3: code tag 'Data-missing-values' before any paragraph"


def test_missing_title(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("\nInterviewee\n\nText.\n")
    with pytest.raises(LoaderError, match=r"bad.txt:2: expected a Delve title line"):
        delve_text.load(path)

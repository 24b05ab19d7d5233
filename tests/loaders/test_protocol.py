from __future__ import annotations

from challenge_graph.loaders import protocol
from tests.conftest import PROTOCOL


def test_seed_002_sections_and_questions():
    p = protocol.load(PROTOCOL)
    assert p.title == "CV Reengineering Leader Interview Protocol"
    assert p.sections == (
        "Interview Questions",
        "Background",
        "Process",
        "Challenges",
        "Effective Practices",
        "Other",
        "Anonymization",
    )
    challenges = [q for q in p.questions if q.section == "Challenges"]
    assert challenges[0].number == "1" and challenges[0].depth == 0
    assert "hot spots" in challenges[0].text
    assert challenges[1].number == "a" and challenges[1].depth == 1
    assert len(p.questions) == 53


def test_protocol_is_recognised_by_content():
    lines = PROTOCOL.read_text(encoding="utf-8").splitlines()
    assert protocol.looks_like_protocol(lines)

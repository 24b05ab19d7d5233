"""Hostile documents: XML bombs and external entities, oversized PDFs."""

from __future__ import annotations

import io
import zipfile

import pytest

from challenge_graph.graph.errors import LoaderError
from challenge_graph.loaders import delve_pdf
from challenge_graph.loaders.refi_qda import parse_qdpx

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"><Sources><TextSource name="s">
<PlainTextContent>&secret;</PlainTextContent></TextSource></Sources></Project>"""


def _qdpx(project: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", project)
    return out.getvalue()


def test_billion_laughs_is_refused():
    with pytest.raises(LoaderError, match="bomb.qdpx"):
        parse_qdpx(_qdpx(LAUGHS), "bomb.qdpx")


def test_external_entities_are_never_read():
    try:
        interviews = parse_qdpx(_qdpx(EXTERNAL), "xxe.qdpx")
    except LoaderError as e:
        assert "xxe.qdpx" in str(e)
        return
    assert all("root:" not in t.text for iv in interviews for t in iv.turns)


def test_pdf_limits(monkeypatch, tmp_path):
    monkeypatch.setitem(delve_pdf.LIMITS, "max_bytes", 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4" + b" " * 2000)
    with pytest.raises(LoaderError, match=r"big.pdf: PDF of 2008 bytes refused \(limit 1000\)"):
        delve_pdf.load(big)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("fuzz-crash-corrupt-member.qdpx", "corrupt archive member"),  # raised zlib.error
        ("fuzz-crash-zip-version.qdpx", "corrupt ZIP"),  # raised NotImplementedError
        ("fuzz-crash-member-name.qdpx", "no .qde file"),  # an empty member name raised IndexError
    ],
)
def test_regressions_found_by_atheris(name, message):
    from tests.conftest import FIXTURES

    with pytest.raises(LoaderError, match=f"crash.qdpx: .*{message}"):
        parse_qdpx((FIXTURES / "qdpx" / name).read_bytes(), "crash.qdpx")


def test_regression_pdf_reference_loop_found_by_atheris():
    """atheris found a PDF whose object refers to itself: pypdf raised LimitReachedError."""
    from tests.conftest import FIXTURES

    with pytest.raises(LoaderError, match=r"loop.pdf: not a readable PDF \(LimitReachedError"):
        delve_pdf.parse_pdf((FIXTURES / "fuzz" / "fuzz-crash-pdf-loop.pdf").read_bytes(), "loop.pdf")

"""The talk deck of the real study (the Delve PDFs), opened again and counted: the PowerPoint file
with python-pptx (native text, sizes a room can read), the PDF with pypdf, and the PowerPoint file
as LibreOffice Impress converts it (Debian's libreoffice-impress)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from challenge_graph.cli import cli
from challenge_graph.export.deck import fits, layout
from challenge_graph.queries.runner import run_query

SMALLEST = {"title": 24, "subtitle": 18, "body": 18, "quote": 18, "small": 12}


def expected_slides(store) -> tuple[list[str], list[str]]:
    """The stages with evidence (top-level stages with a challenge that has quotes) and the top
    five challenges with a stage, straight from the named queries."""
    stages = [
        row["stage"]
        for row in run_query(store, "stage-overview").as_dicts()
        if not row["parent"]
        and any(r["quotes"] for r in run_query(store, "challenges-at-stage", {"stage": row["id"]}).as_dicts())
    ]
    top = [r["challenge"] for r in run_query(store, "top-challenges", {"limit": 1000}).as_dicts() if r["stage"]][:5]
    return stages, top


@pytest.fixture(scope="module")
def decks(delve_store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("deck")
    outputs = {}
    for name, args in (("talk.pptx", []), ("talk.pdf", ["--deck"])):
        result = CliRunner().invoke(cli, ["export", str(folder / name), *args, "--db", str(delve_store.path)])
        assert result.exit_code == 0, result.output
        outputs[name] = result.output
    return folder, outputs


def test_the_pptx_has_an_overview_a_slide_per_stage_and_per_top_challenge(delve_store, decks):
    from pptx import Presentation

    folder, outputs = decks
    stages, top = expected_slides(delve_store)
    deck = Presentation(str(folder / "talk.pptx"))
    assert len(deck.slides) == 1 + len(stages) + len(top) and len(stages) >= 3 and len(top) == 5
    assert f"{len(deck.slides)} slides" in outputs["talk.pptx"]
    titles = [_texts(slide, "title")[0] for slide in deck.slides]
    assert titles[1 : 1 + len(stages)] == stages
    assert titles[1 + len(stages) :] == top
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, abs=0.01)


def test_every_pptx_text_is_native_and_legible(decks):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = Presentation(str(decks[0] / "talk.pptx"))
    sizes = []
    for slide in deck.slides:
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]  # text, never a picture
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            role = shape.name.split()[0]
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    assert run.font.size is not None and run.font.size.pt >= SMALLEST[role], (role, run.text)
                    sizes.append(run.font.size.pt)
    assert min(sizes) >= 12 and sizes.count(20) > 20
    chart = [s for s in deck.slides[0].shapes if s.has_chart]
    assert chart and chart[0].chart.font.size.pt >= 12  # a native chart, editable in PowerPoint


def test_stage_slides_say_how_many_more_and_quotes_are_cited(delve_store, decks):
    from pptx import Presentation

    deck = Presentation(str(decks[0] / "talk.pptx"))
    stages, top = expected_slides(delve_store)
    overview = run_query(delve_store, "stage-overview").as_dicts()
    for slide, name in zip(list(deck.slides)[1:], stages):
        stage_id = next(r["id"] for r in overview if r["stage"] == name)
        codes = [
            r for r in run_query(delve_store, "challenges-at-stage", {"stage": stage_id}).as_dicts() if r["quotes"]
        ]
        shown = _texts(slide, "body")
        more = [int(m) for t in _texts(slide, "small") for m in re.findall(r"and (\d+) more at this stage", t)]
        assert set(shown) <= {r["challenge"] for r in codes}
        assert len(shown) + sum(more) == len(codes), name
    for slide in list(deck.slides)[1 + len(stages) :]:
        quotes, cites = _texts(slide, "quote"), [t for t in _texts(slide, "small") if t.startswith("— ")]
        assert 2 <= len(cites) <= 3 and quotes
        assert all(re.fullmatch(r"— Interview \d+, p\. \d+", c) for c in cites), cites


def test_every_line_fits_its_box(delve_store):
    from challenge_graph.cli.export_commands import deck_content

    slides = layout(deck_content(delve_store))
    boxes = [box for slide in slides for box in slide if box.kind == "text"]
    assert boxes and all(fits(box) for box in boxes)
    assert all(box.y + box.h <= 7.5 and box.x + box.w <= 40 / 3 + 0.01 for box in boxes)


def test_the_pdf_deck_has_the_same_slides(delve_store, decks):
    stages, top = expected_slides(delve_store)
    reader = PdfReader(str(decks[0] / "talk.pdf"))
    assert len(reader.pages) == 1 + len(stages) + len(top)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((960, 540))
    for page, title in zip(reader.pages[1:], stages + top):
        assert title in page.extract_text()


def test_libreoffice_opens_the_pptx(delve_store, decks, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        message = "LibreOffice is not installed (Debian: apt-get install libreoffice-impress)"
        if os.environ.get("REQUIRE_LIBREOFFICE"):
            pytest.fail(message + " and REQUIRE_LIBREOFFICE is set")
        pytest.skip(message)
    profile = tmp_path / "profile"  # a profile of its own: no clash with a LibreOffice already running
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(decks[0] / "talk.pptx")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    stages, top = expected_slides(delve_store)
    reader = PdfReader(str(tmp_path / "talk.pdf"))
    assert len(reader.pages) == 1 + len(stages) + len(top)
    for page, title in zip(reader.pages[1:], stages + top):
        text = page.extract_text()
        assert title in text and "challenge-graph" in text  # the text came through as text
    if shutil.which("pdftoppm"):  # and a page is not blank
        from PIL import Image

        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-f", "2", "-l", "2", str(tmp_path / "talk.pdf"), str(tmp_path / "p")],
            check=True,
        )
        image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
        assert sum(image.histogram()[:128]) > 0.005 * image.size[0] * image.size[1]


def _texts(slide, role: str) -> list[str]:
    """The texts of a slide's boxes of one role (the PowerPoint writer names each box so)."""
    return [
        " ".join(p.text for p in shape.text_frame.paragraphs)
        for shape in slide.shapes
        if shape.has_text_frame and shape.name == f"{role} text"
    ]


def test_a_deck_is_of_the_whole_study(delve_store, tmp_path):
    db = str(delve_store.path)
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "x.pptx"), "--stage", "evaluation", "--db", db])
    assert result.exit_code == 2 and "a deck is of the whole study" in result.output
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "x.html"), "--deck", "--db", db])
    assert result.exit_code == 1 and "a deck is .pdf or .pptx" in result.output

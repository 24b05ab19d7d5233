"""The deck as PowerPoint (python-pptx): every text a native, editable text box, bars as shapes,
the challenges per stage as a native bar chart; 16:9, the fonts of :data:`deck.DECK_FONTS`."""

from __future__ import annotations

from pathlib import Path

from challenge_graph.export.deck import SLIDE, Box, Deck
from challenge_graph.export.image_geometry import FONT
from challenge_graph.graph.errors import ChallengeGraphError

__all__ = ["write_pptx"]


def write_pptx(slides: list[list[Box]], deck: Deck, out: Path) -> None:
    try:
        from pptx import Presentation
        from pptx.util import Inches
    except ImportError as exc:  # pragma: no cover - python-pptx is a dependency
        raise ChallengeGraphError("PowerPoint decks need python-pptx: python3 -m pip install python-pptx") from exc
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE[0]), Inches(SLIDE[1])
    blank = presentation.slide_layouts[6]
    for boxes in slides:
        slide = presentation.slides.add_slide(blank)
        for box in boxes:
            if box.kind == "text":
                _text(slide, box)
            elif box.kind == "bar":
                _bar(slide, box)
            elif box.kind == "chart":
                _chart(slide, box, deck)
    presentation.core_properties.title = deck.title
    presentation.save(str(out))


def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _text(slide, box: Box) -> None:
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_textbox(Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h))
    shape.name = f"{box.role} text"
    frame = shape.text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = Inches(0.1)
    frame.margin_top = frame.margin_bottom = Inches(0.03)
    for i, line in enumerate(box.lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        font = run.font
        font.size = Pt(box.size)
        font.name = FONT
        font.bold = box.bold
        font.italic = box.italic
        font.color.rgb = _rgb(box.colour)


def _bar(slide, box: Box) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(box.colour)
    shape.line.fill.background()
    shape.shadow.inherit = False


def _chart(slide, box: Box, deck: Deck) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Inches, Pt

    rows = _chart_rows(deck, box)
    data = CategoryChartData()
    data.categories = [name for name, _ in reversed(rows)]  # the first stage on top
    data.add_series("challenges", [count for _, count in reversed(rows)])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h), data
    )
    chart = frame.chart
    chart.has_legend = False
    chart.has_title = False
    chart.font.size = Pt(box.size)
    chart.font.name = FONT
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(box.size)
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = _rgb("#D55E00")
    chart.value_axis.visible = False
    chart.value_axis.has_major_gridlines = False
    chart.category_axis.tick_labels.font.size = Pt(box.size)


def _chart_rows(deck: Deck, box: Box) -> list[tuple[str, int]]:
    return deck.per_stage[: max(1, int(box.h / 0.42))]

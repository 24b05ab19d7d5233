"""Small synthetic Delve print-view PDFs, drawn as Delve draws them (measured on the exports in
``tests/fixtures/delve-pdf``): the title in 24 pt, a page header in 8 pt, each speaker label bold
14 pt on its own line, body text 14 pt at a 31 pt line pitch, a blank line (61 pt) between two
paragraphs of one turn, each code tag its own 10.5 pt run on a row 36 pt below the paragraph it
codes, and 40 pt from a tag row (56 pt from a paragraph) to the next label. Text runs are drawn
with a flipped text matrix, as Chrome's print does, so ``y`` grows down the page.

A document is a list of items: ``("label", "Interviewee")``, ``("text", ["line 1", "line 2"])``
(one paragraph, one string a line), ``("tags", ["Q1", "Data-missing-values"])`` (one row).
"""

from __future__ import annotations

import io

PITCH, BLANK_LINE = 31, 61


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def delve_pdf(title: str, items: list[tuple[str, object]]) -> bytes:
    """The bytes of a one-page Delve print view of ``items`` (see the module's docstring)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    runs: list[tuple[str, float, float, float, str]] = [("F1", 8, 26.5, 22, f"6/4/23, 5:53 PM {title}")]
    runs.append(("F1", 24, 60, 41, title))
    y, before = 41.0, "title"
    for kind, value in items:
        if kind == "label":
            y += 30 if before == "title" else 40 if before == "tags" else 56
            runs.append(("F2", 14, 60, y, str(value)))
        elif kind == "text":
            for number, line in enumerate(value):
                y += 25 if before == "label" and number == 0 else BLANK_LINE if number == 0 else PITCH
                runs.append(("F1", 14, 60, y, line))
        else:
            y += 36 if before == "text" else 40
            x = 60.0
            for tag in value:
                runs.append(("F1", 10.5, x, y, tag))
                x += 8 * len(tag) + 20
        before = kind
    writer = PdfWriter()
    fonts = DictionaryObject()
    for key, base in (("/F1", "/Helvetica"), ("/F2", "/Helvetica-Bold")):
        font = DictionaryObject(
            {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1")}
        )
        font[NameObject("/BaseFont")] = NameObject(base)
        fonts[NameObject(key)] = writer._add_object(font)
    height = max(792.0, y + 60)
    ops = [f"1 0 0 -1 0 {height:g} cm"]
    ops += [
        f"BT /{font} {size:g} Tf 1 0 0 -1 {x:g} {y:g} Tm ({_escape(text)}) Tj ET" for font, size, x, y, text in runs
    ]
    drawing = DecodedStreamObject()
    drawing.set_data("\n".join(ops).encode("latin-1"))
    page = writer.add_blank_page(612, height)
    page[NameObject("/Resources")] = writer._add_object(DictionaryObject({NameObject("/Font"): fonts}))
    page[NameObject("/Contents")] = writer._add_object(drawing)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

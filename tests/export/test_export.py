"""Exports of the example corpus in every format, opened and checked."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import networkx as nx
import pytest
from click.testing import CliRunner
from PIL import Image

from challenge_graph.cli import cli
from challenge_graph.export.images import render_image
from challenge_graph.export.writer import export_graph
from challenge_graph.queries.network import limit_nodes, neighbourhood, select


@pytest.fixture(scope="module")
def whole(sample_store):
    return neighbourhood(sample_store)


@pytest.fixture(scope="module")
def loss(sample_store):
    return neighbourhood(sample_store, "stage", "loss function")


def _busy_pixels(path):
    return sum(Image.open(path).convert("L").histogram()[:200])  # pixels darker than light grey


@pytest.mark.parametrize(
    ("size", "dpi", "pixels"), [("slide", 150, (2000, 1125)), ("column", 300, (1050, 900)), ("page", 100, (700, 500))]
)
def test_png_has_requested_size_and_content(whole, tmp_path, size, dpi, pixels):
    out = tmp_path / "whole.png"
    info = render_image(whole, out, size=size, dpi=dpi, title="Challenges by stage", footer="corpus")
    image = Image.open(out)
    assert image.size == pixels == (info.width_px, info.height_px)
    assert _busy_pixels(out) > 0.01 * pixels[0] * pixels[1]  # not a blank page
    assert info.overlaps == 0


@pytest.mark.parametrize("layout", ["workflow", "force"])
def test_loss_function_stage_images_have_no_overlapping_labels(loss, tmp_path, layout):
    info = render_image(loss, tmp_path / "loss.png", layout=layout, title="Loss function", footer="corpus")
    assert info.overlaps == 0 and info.labels >= 5 and info.hidden <= 1


def test_whole_corpus_slide_footer_accounts_for_every_node(whole, tmp_path):
    """At slide fonts the examples do not all fit: the footer says how many were drawn and why
    the others were not, and the counts add up to the whole graph."""
    info = render_image(whole, tmp_path / "whole.png", title="t", footer="f")
    assert info.overlaps == 0 and info.nodes > 15
    assert info.nodes + sum(count for _, count in info.left_out) == whole.number_of_nodes() == info.total
    assert dict(info.left_out)["stages with no codes"] == 12  # stages without codes are not drawn
    assert info.footer.startswith(f"drawn: {info.nodes} of {whole.number_of_nodes()} nodes (left out: ")


def test_svg_and_pdf(loss, tmp_path):
    svg = tmp_path / "loss.svg"
    render_image(loss, svg, title="Loss function", footer="corpus")
    root = ET.parse(svg).getroot()
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Loss cannot be" in texts and "Leader 4" in texts  # text stays text, editable
    pdf = tmp_path / "loss.pdf"
    render_image(loss, pdf, size="column", title="Loss function", footer="corpus")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


def test_graphml_and_gexf_parse_back(whole, tmp_path):
    for name, read in (("g.graphml", nx.read_graphml), ("g.gexf", nx.read_gexf)):
        export_graph(whole, tmp_path / name)
        back = read(tmp_path / name)
        assert (back.number_of_nodes(), back.number_of_edges()) == (whole.number_of_nodes(), whole.number_of_edges())
        kinds = {d["kind"] for _, d in back.nodes(data=True)}
        assert kinds == {"Stage", "Challenge", "Fix", "Practice"}


def test_csv_round_trip(loss, tmp_path):
    export_graph(loss, tmp_path / "edges.csv")
    with open(tmp_path / "edges.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {(r["source"], r["target"], r["relation"], int(r["weight"])) for r in rows} == {
        (s, t, d["relation"], d["weight"]) for s, t, d in loss.edges(data=True)
    }
    export_graph(loss, tmp_path / "tables")
    with open(tmp_path / "tables" / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = {r["key"]: r for r in csv.DictReader(f)}
    assert set(nodes) == set(loss.nodes)
    assert nodes["Participant:leader-4"]["label"] == "Leader 4"


def test_html_export_is_offline(loss, tmp_path):
    export_graph(loss, tmp_path / "loss.html", title="Loss function")
    page = (tmp_path / "loss.html").read_text(encoding="utf-8")
    assert not re.findall(r"(?:src|href)=\"https?://", page) and "new vis.Network" in page


def test_query_selection_keeps_codes_with_stages_and_fixes(sample_store):
    g = select(sample_store, query="challenges-at-stage", params={"stage": "evaluation"})
    assert sorted(g.nodes) == [
        "Challenge:qm-data-privacy-issue",
        "Challenge:qm-reproducibility",
        "Challenge:qm-robustness",
        "Fix:qm-data-privacy-issue-fix",
        "Fix:qm-robustness-fix",
        "Stage:evaluation",
    ]


def test_quotes_only_with_quotes_flag(sample_store, tmp_path):
    db = str(sample_store.path)
    plain = tmp_path / "plain"
    quoted = tmp_path / "quoted"
    assert CliRunner().invoke(cli, ["export", str(plain), "--stage", "loss", "--db", db]).exit_code == 0
    assert (
        CliRunner().invoke(cli, ["export", str(quoted), "--stage", "loss", "--with-quotes", "--db", db]).exit_code == 0
    )
    marker = "So both of those implementations"
    assert marker not in (plain / "nodes.csv").read_text(encoding="utf-8")
    assert marker in (quoted / "nodes.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".html", ".graphml", ".gexf", ".csv", ""])
def test_cli_exports_every_format_with_pseudonyms_only(sample_store, tmp_path, suffix):
    out = tmp_path / f"participant{suffix}"
    result = CliRunner().invoke(
        cli, ["export", str(out), "--participant", "Interviewee (Interview 35)", "--db", str(sample_store.path)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote ")
    if suffix in (".svg", ".html", ".graphml", ".gexf", ".csv"):
        text = out.read_text(encoding="utf-8")
        assert "Interviewee (Interview 35)" in text
        assert "Ilan" not in text  # the coder's name never stands in for the participant


def test_node_limit_is_reported(sample_store, tmp_path):
    result = CliRunner().invoke(
        cli, ["export", str(tmp_path / "w.png"), "--max-nodes", "30", "--db", str(sample_store.path)]
    )
    assert result.exit_code == 0
    assert re.search(r"^drawn: \d+ of 61 nodes \(left out: .*31 beyond the node limit", result.stdout, re.M)
    assert limit_nodes(neighbourhood(sample_store), 30).number_of_nodes() == 30


def test_unknown_format_is_a_clear_error(sample_store, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "x.docx"), "--db", str(sample_store.path)])
    assert result.exit_code == 1
    assert "export formats are .png, .svg, .pdf, .html, .graphml, .gexf, .csv, or a folder for CSVs" in result.output


# --- images for talks: nothing drawn over text, words whole, named titles, sizes in inches -------
_SVG = "{http://www.w3.org/2000/svg}"
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _svg_texts(root):
    """Every text line of a matplotlib SVG with its box in the SVG's units, measured with the
    font file itself (independent of matplotlib's own layout)."""
    from PIL import ImageFont

    out = []
    for t in root.iter(f"{_SVG}text"):
        style = dict(p.split(":", 1) for p in t.get("style").replace(" ", "").split(";") if ":" in p)
        size = float(style["font-size"].rstrip("px"))
        name = "DejaVuSans" + (
            "-Bold" if style.get("font-weight") == "700" else "-Oblique" if style.get("font-style") == "italic" else ""
        )
        font = ImageFont.truetype(str(_FONTS / f"{name}.ttf"), 100)
        if t.get("x") is not None:
            x, y = float(t.get("x")), float(t.get("y"))
        else:
            x, y = (float(v) for v in re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", t.get("transform")).groups())
        x0, y0, x1, y1 = (v * size / 100 for v in font.getbbox(t.text or "", anchor="ls"))
        shift = {"start": 0, "middle": (x1 - x0) / 2, "end": x1 - x0}[style.get("text-anchor", "start")]
        out.append((t.text or "", (x + x0 - shift + 0.5, y + y0 + 0.5, x + x1 - shift - 0.5, y + y1 - 0.5)))
    return out


def _svg_lines(root):
    """Segments of every stroked, unfilled path (links, arrows) of a matplotlib SVG."""
    segments = []
    for path in root.iter(f"{_SVG}path"):
        style = path.get("style") or ""
        if "fill: none" in style and "stroke:" in style and "stroke: none" not in style:
            points = [tuple(map(float, p)) for p in re.findall(r"([-\d.]+) ([-\d.]+)", path.get("d"))]
            segments += list(zip(points, points[1:]))
    return segments


def _cuts(a, b, rect, steps=200):
    return any(
        rect[0] < a[0] + (b[0] - a[0]) * i / steps < rect[2] and rect[1] < a[1] + (b[1] - a[1]) * i / steps < rect[3]
        for i in range(steps + 1)
    )


@pytest.mark.parametrize("layout", ["workflow", "force"])
def test_no_line_crosses_a_label_or_quote_in_the_svg(sample_store, tmp_path, layout):
    out = tmp_path / "loss.svg"
    result = CliRunner().invoke(
        cli,
        ["export", str(out), "--stage", "loss", "--with-quotes", "--layout", layout, "--db", str(sample_store.path)],
    )
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    texts, lines = _svg_texts(root), _svg_lines(root)
    assert len(texts) >= 8 and (lines or layout == "workflow")  # the workflow of one stage may need none
    crossed = [(text, seg) for text, rect in texts for seg in lines if _cuts(*seg, rect)]
    assert not crossed, crossed[:3]


def test_labels_keep_words_whole_and_titles_name_the_stage(sample_store, tmp_path):
    out = tmp_path / "loss.svg"
    result = CliRunner().invoke(cli, ["export", str(out), "--stage", "loss", "--db", str(sample_store.path)])
    assert result.exit_code == 0
    root = ET.parse(out).getroot()
    assert root.get("width") == "960pt" and root.get("height") == "540pt"  # 13.33 x 7.5 in, in points
    assert "13.3 x 7.5 in" in result.stdout and " px" not in result.stdout
    lines = [t for t, _ in _svg_texts(root)]
    assert lines[0] == "Loss function"  # the stage's name, not the argument "loss"
    words = {w for line in lines for w in line.split()}
    for _, d in neighbourhood(sample_store, "stage", "loss").nodes(data=True):
        assert set(d["label"].split()) <= words, d["label"]  # every word of every label whole
    assert "ANONYMIZED_DL_FRAMEWORK_2" in words


def test_force_arrowheads_stop_short_of_labels(loss, tmp_path):
    info = render_image(loss, tmp_path / "loss.png", layout="force", title="Loss function", footer="corpus")
    assert info.crossings == 0 and info.overlaps == 0 and info.hidden == 0


def test_charts_have_whole_number_ticks_and_no_crowded_labels(tmp_path):
    from challenge_graph.export.charts import heat_map, saturation_curve

    heat = tmp_path / "heat.svg"
    heat_map(
        ["Reproducibility review", "ML platform and infrastructure"],
        ["Model quality", "Data quality"],
        [[1, 20], [3, 0]],
        heat,
        label="shared turns",
    )
    texts = [t.text or "" for t in ET.parse(heat).getroot().iter(f"{_SVG}text")]
    numbers = [t for t in texts if re.fullmatch(r"[\d.]+", t)]
    assert numbers and all(re.fullmatch(r"\d+", t) for t in numbers), numbers  # counts read as counts
    assert {"Reproducibility review", "ML platform and infrastructure"} <= set(texts)  # row labels whole
    curve = tmp_path / "curve.svg"
    n = 1000
    saturation_curve([f"Interview {i}" for i in range(n)], list(range(n)), list(range(n)), [1] * n, curve)
    texts = [t.text or "" for t in ET.parse(curve).getroot().iter(f"{_SVG}text")]
    assert len(texts) < 60 and "interviews coded, in order" in texts  # ticks, not a thousand names


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_names_are_drawn_as_written_never_as_tex(tmp_path, suffix):
    """A code named with dollar signs is text: a broken formula must not fail the export, and a
    well-formed one is drawn as its characters."""
    from challenge_graph.export.images import render_image

    graph = nx.DiGraph()
    for node, label in [("a", "cost $x^{2$ broke"), ("b", "fine $x^2$ here")]:
        graph.add_node(node, kind="Challenge", label=label, evidence=1, id=node)
    graph.add_edge("a", "b", relation="CO_OCCURS", weight=1)
    out = tmp_path / f"math{suffix}"
    render_image(graph, out, layout="force")
    assert out.stat().st_size > 0
    if suffix == ".svg":
        text = out.read_text(encoding="utf-8")
        assert "$x^2$" in text and "$x^{2$" in text  # the characters, not a typeset formula


def test_graphml_and_gexf_hold_only_xml_characters_and_read_back(tmp_path):
    from challenge_graph.export.formats import write_data

    graph = nx.DiGraph()
    graph.add_node("q", kind="Challenge", label="vertical\x0btab and \x01start", evidence=1, id="q", quote="a\x0bb")
    graph.add_node("r", kind="Fix", label="plain", evidence=1, id="r", quote="")
    graph.add_edge("r", "q", relation="ADDRESSES", weight=1)
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        out = tmp_path / f"g{suffix}"
        write_data(graph, out)
        back = read(out)
        labels = {d["label"] for _, d in back.nodes(data=True)}
        assert labels == {"verticaltab and start", "plain"}, suffix

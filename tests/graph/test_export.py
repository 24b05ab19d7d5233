"""Exports of the example corpus in every format, opened and checked."""
from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from click.testing import CliRunner
from PIL import Image

from challenge_graph.cli import cli
from graph.export import export_graph
from graph.images import render_image
from queries.network import limit_nodes, neighbourhood, select


@pytest.fixture(scope="module")
def whole(sample_store):
    return neighbourhood(sample_store)


@pytest.fixture(scope="module")
def loss(sample_store):
    return neighbourhood(sample_store, "stage", "loss function")


def _busy_pixels(path):
    return sum(Image.open(path).convert("L").histogram()[:200])  # pixels darker than light grey


@pytest.mark.parametrize(("size", "dpi", "pixels"), [("slide", 150, (2000, 1125)), ("column", 300, (1050, 900)), ("page", 100, (700, 500))])
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


def test_whole_corpus_slide_shows_every_label(whole, tmp_path):
    info = render_image(whole, tmp_path / "whole.png", title="t", footer="f")
    assert (info.labels, info.hidden, info.overlaps) == (whole.number_of_nodes() - 12, 0, 0)  # 12 stages without codes are not drawn


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
        "Challenge:qm-data-privacy-issue", "Challenge:qm-reproducibility", "Challenge:qm-robustness",
        "Fix:qm-data-privacy-issue-fix", "Fix:qm-robustness-fix", "Stage:evaluation",
    ]


def test_quotes_only_with_quotes_flag(sample_store, tmp_path):
    db = str(sample_store.path)
    plain = tmp_path / "plain"
    quoted = tmp_path / "quoted"
    assert CliRunner().invoke(cli, ["export", str(plain), "--stage", "loss", "--db", db]).exit_code == 0
    assert CliRunner().invoke(cli, ["export", str(quoted), "--stage", "loss", "--with-quotes", "--db", db]).exit_code == 0
    marker = "So both of those implementations"
    assert marker not in (plain / "nodes.csv").read_text(encoding="utf-8")
    assert marker in (quoted / "nodes.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".html", ".graphml", ".gexf", ".csv", ""])
def test_cli_exports_every_format_with_pseudonyms_only(sample_store, tmp_path, suffix):
    out = tmp_path / f"participant{suffix}"
    result = CliRunner().invoke(cli, ["export", str(out), "--participant", "Interviewee (Interview 35)", "--db", str(sample_store.path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote ")
    if suffix in (".svg", ".html", ".graphml", ".gexf", ".csv"):
        text = out.read_text(encoding="utf-8")
        assert "Interviewee (Interview 35)" in text
        assert "Ilan" not in text  # the coder's name never stands in for the participant


def test_node_limit_is_reported(sample_store, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "w.png"), "--max-nodes", "30", "--db", str(sample_store.path)])
    assert result.exit_code == 0
    assert "30 of 61 nodes" in result.stdout
    assert limit_nodes(neighbourhood(sample_store), 30).number_of_nodes() == 30


def test_unknown_format_is_a_clear_error(sample_store, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "x.docx"), "--db", str(sample_store.path)])
    assert result.exit_code == 1
    assert "export formats are .png, .svg, .pdf, .html, .graphml, .gexf, .csv, or a folder for CSVs" in result.output

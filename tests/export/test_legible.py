"""Images for talks, measured as the eye sees them, on the real study (the Delve PDFs): text sizes
read back from the SVG at each size, footers equal to the nodes drawn (counted in the SVG), legends
naming only what is drawn, participants only with what links them, quotes cited."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from challenge_graph.cli import cli
from challenge_graph.queries.network import neighbourhood
from challenge_graph.queries.runner import run_query
from tests.export.test_export import _svg_lines, _svg_texts

SVG = "{http://www.w3.org/2000/svg}"
# the smallest size (pt) each kind of text may have: at slide size a room must read it
SMALLEST = {
    "slide": {"title": 24, "node": 18, "heading": 18, "quote": 18, "other": 12},
    "page": {"title": 7, "node": 7, "heading": 7, "quote": 7, "other": 7},
    "column": {"title": 7, "node": 7, "heading": 7, "quote": 7, "other": 7},
}
VIEWS = {
    "workflow": [],
    "stage with quotes": ["--stage", "data preparation", "--with-quotes"],
    "challenge": ["--challenge", "Data-low-quality"],
    "force": ["--challenge", "QM-explainability-issues", "--layout", "force"],
}


def export_svg(store, tmp_path, args, size="slide"):
    out = tmp_path / "image.svg"
    result = CliRunner().invoke(cli, ["export", str(out), *args, "--size", size, "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    return Svg(ET.parse(out).getroot()), result.output


class Svg:
    """A matplotlib SVG read back: each text with its size and the group (gid) it stands in."""

    def __init__(self, root):
        self.root = root
        parents = {child: parent for parent in root.iter() for child in parent}
        self.texts = []  # (group id, font size, text)
        for text in root.iter(f"{SVG}text"):
            group, node = "", text
            while node in parents and not group:
                node = parents[node]
                group = node.get("id", "") if node.tag == f"{SVG}g" else ""
                group = group if re.match(r"(node|quote|citation|note|heading|title|legend|footer)\b", group) else ""
            size = float(re.search(r"font-size:\s*([\d.]+)px", text.get("style")).group(1))
            self.texts.append((group, size, text.text or ""))

    def groups(self, prefix):
        """{group id: its text lines joined} of the groups whose id starts with ``prefix``."""
        out: dict[str, str] = {}
        for group, _, text in self.texts:
            if group.startswith(prefix):
                out[group] = f"{out[group]} {text}" if group in out else text
        return out

    def markers(self):
        """The centre of each node marker (matplotlib writes a <use> or a <path> for each)."""
        out = []
        for g in self.root.iter(f"{SVG}g"):
            if g.get("id") == "markers":
                for item in g.iter():
                    if item.tag == f"{SVG}use":
                        out.append((float(item.get("x")), float(item.get("y"))))
                    elif item.tag == f"{SVG}path" and item.get("d") and "clip-path" in item.attrib:
                        xy = [tuple(map(float, p)) for p in re.findall(r"([-\d.]+) ([-\d.]+)", item.get("d"))]
                        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
                        out.append(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
        return out

    def footer(self):
        return " ".join(self.groups("footer").values())


def _role(group: str) -> str:
    kind = group.split("-")[0]
    return kind if kind in ("title", "node", "heading", "quote") else "other"


@pytest.mark.parametrize("size", ["slide", "page", "column"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_no_text_is_smaller_than_its_size_allows(delve_store, tmp_path, view, size):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS[view], size)
    assert svg.texts and all(group for group, _, _ in svg.texts)  # every text is of a known kind
    too_small = [(g, s, t) for g, s, t in svg.texts if s < SMALLEST[size][_role(g)]]
    assert not too_small, too_small[:5]
    if size == "slide":
        assert min(s for _, s, _ in svg.texts) >= 12
        assert max(s for g, s, _ in svg.texts if g == "title") >= 24


@pytest.mark.parametrize("size", ["slide", "column"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_the_footer_counts_the_nodes_drawn(delve_store, tmp_path, view, size):
    svg, output = export_svg(delve_store, tmp_path, VIEWS[view], size)
    footer = re.search(r"drawn: (\d+) of (\d+) nodes", svg.footer())
    assert footer, svg.footer()
    drawn, total = int(footer[1]), int(footer[2])
    labels = svg.groups("node-")
    assert len(labels) == drawn  # one label per node drawn, counted in the SVG itself
    stage_boxes = [g for g in labels if g.endswith("-Stage")] if "force" not in view else []
    assert len(svg.markers()) == drawn - len(stage_boxes)  # a marker for each other node
    assert f"drawn: {drawn} of {total} nodes" in output  # the command says the same
    said = svg.footer().split(" · ")[0]
    left_out = sum(int(n) for n in re.findall(r"(\d+) [a-z]", said.split("left out:")[-1]))
    assert drawn + (left_out if "left out" in said else 0) == total


def test_what_is_left_out_at_a_stage_is_counted_truly(delve_store, tmp_path):
    """'and N more at this stage' plus the codes drawn under the stage are the stage's codes."""
    svg, _ = export_svg(delve_store, tmp_path, VIEWS["stage with quotes"])
    graph = neighbourhood(delve_store, "stage", "data preparation")
    codes = {d["label"] for n, d in graph.nodes(data=True) if d["kind"] in ("Challenge", "Fix", "Practice")}
    drawn = [text for group, text in svg.groups("node-").items() if group.endswith(("-Challenge", "-Fix", "-Practice"))]
    more = [int(m) for m in re.findall(r"and (\d+) more at this stage", " ".join(svg.groups("note").values()))]
    assert more and set(drawn) <= codes
    assert len([t for t in drawn if t in codes]) + sum(more) == len(codes)


def test_a_stage_with_quotes_fills_the_slide_and_cites_each_quote(delve_store, tmp_path):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS["stage with quotes"])
    quotes, cites = svg.groups("quote"), svg.groups("citation")
    assert len(quotes) >= 4 and len(cites) == len(quotes)
    assert all(re.fullmatch(r"— Interview \d+, p\. \d+", c) for c in cites.values()), cites
    boxes = [rect for text, rect in _svg_texts(svg.root) if text]
    assert max(r[2] for r in boxes) - min(r[0] for r in boxes) > 0.8 * 960  # not a third of the slide


def test_a_challenge_shows_what_co_occurs_with_it(delve_store, tmp_path):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS["challenge"])
    graph = neighbourhood(delve_store, "challenge", "Data-low-quality")
    centre = graph.graph["centre_node"]
    co = {graph.nodes[t]["label"] for _, t, d in graph.out_edges(centre, data=True) if d["relation"] == "CO_OCCURS"}
    drawn = set(svg.groups("node-").values())
    assert co and co <= drawn
    assert any(t.startswith("Co-occurring with") for t in svg.groups("heading").values())


@pytest.mark.parametrize("size", ["slide", "column"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_the_legend_names_only_what_is_drawn(delve_store, tmp_path, view, size):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS[view], size)
    kinds = {group.rsplit("-", 1)[1] for group in svg.groups("node-")}
    legend = set(svg.groups("legend").values())
    named = legend & {"Stage", "Challenge", "Fix", "Practice", "Participant", "Tool"}
    assert named == kinds
    lines = legend - named
    assert bool(lines) == bool(_svg_lines(svg.root)), (lines, view)


@pytest.mark.parametrize("size", ["slide", "column"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_participants_are_drawn_only_with_what_links_them(delve_store, tmp_path, view, size):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS[view], size)
    texts = [t for group, _, t in svg.texts if group.startswith("node-")]
    for line in texts:  # "(Interview 19)" is never broken
        assert line.count("(") == line.count(")"), line
    notes = " ".join(svg.groups("note").values())
    participants = [t for g, t in svg.groups("node-").items() if g.endswith("-Participant")]
    if view == "force":  # each drawn node ends a line
        ends = {(round(x), round(y)) for a, b in _svg_lines(svg.root) for x, y in (a, b)}
        for x, y in svg.markers():
            assert any(abs(x - ex) <= 2 and abs(y - ey) <= 2 for ex, ey in ends), (x, y)
    else:
        said = [int(n) for n in re.findall(r"reported (\d+) codes? shown", notes)]
        assert len(said) == len(participants) and all(n >= 1 for n in said)


def test_force_layout_keeps_the_centre_label_and_draws_no_arrows(delve_store, tmp_path):
    svg, _ = export_svg(delve_store, tmp_path, VIEWS["force"])
    name = neighbourhood(delve_store, "challenge", "QM-explainability-issues").graph["name"]
    assert name in svg.groups("node-").values()
    heads = [p for p in svg.root.iter(f"{SVG}path") if "fill: none" not in (p.get("style") or "")]
    arrows = [p for p in heads if (p.get("style") or "").startswith("fill: #9aa0a6")]
    assert not arrows  # the old grey arrowheads


def test_every_stage_with_codes_is_drawn_or_counted(delve_store, tmp_path):
    svg, _ = export_svg(delve_store, tmp_path, [])
    stages = {r["stage"] for r in run_query(delve_store, "stage-overview").as_dicts() if r["challenges"]}
    drawn = {t for g, t in svg.groups("node-").items() if g.endswith("-Stage")}
    assert stages <= drawn | {"x"} or "with less evidence" in svg.footer()


@pytest.mark.parametrize("width", [1.0, 1.3, 1.6, 2.0, 3.0])
def test_names_wrap_between_words_never_inside_parentheses(width):
    from challenge_graph.export.image_geometry import wrap

    lines = wrap("Interviewee (Interview 30) and more", width, 10)
    assert "(Interview 30)" in lines or any("(Interview 30)" in line for line in lines), lines

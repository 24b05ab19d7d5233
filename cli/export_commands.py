"""The export command: images, HTML and data files of the graph or a part of it."""

from __future__ import annotations

import re
from pathlib import Path

import click

from challenge_graph.cli.options import (
    db_option,
    friendly,
    neo4j_option,
    open_store,
    parse_params,
)
from challenge_graph.cli.output import printable
from challenge_graph.queries.runner import corpus_summary


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--query",
    "query_name",
    help="Named query whose rows select the subgraph (rows with a code column, or a network-* query).",
)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter of --query (repeatable).")
@click.option("--stage", help="The neighbourhood of a stage.")
@click.option("--challenge", help="The neighbourhood of a challenge.")
@click.option("--participant", help="The neighbourhood of a participant (by pseudonym).")
@click.option("--title", default=None, help="Title drawn on images and HTML [default: what is shown].")
@click.option(
    "--layout",
    type=click.Choice(["workflow", "force"]),
    default="workflow",
    show_default=True,
    help="workflow: stages left to right with their challenges and fixes; force: a spring layout.",
)
@click.option(
    "--max-nodes", default=150, show_default=True, help="Keep at most this many nodes (stages first, then by evidence)."
)
@click.option(
    "--size",
    type=click.Choice(["slide", "column", "page"]),
    default="slide",
    show_default=True,
    help="slide: 16:9, 13.3x7.5 in; column: 3.5x3 in; page: 7x5 in.",
)
@click.option("--dpi", default=150, show_default=True, help="Resolution of PNG images.")
@click.option("--with-quotes", is_flag=True, help="Put each code's clearest participant quote, cited, into the export.")
@click.option(
    "--deck",
    is_flag=True,
    help="A talk deck (.pdf or .pptx): an overview, a slide per stage, a slide per top challenge with quotes.",
)
@click.option("--top", default=5, show_default=True, help="How many top challenges get a slide of their own (--deck).")
@click.option(
    "--study", help="The study a .qdpx or .qdc holds (its id or title): required when the graph holds several."
)
@db_option
@neo4j_option
@friendly
def export(
    out: Path,
    query_name: str | None,
    params: tuple[str, ...],
    stage: str | None,
    challenge: str | None,
    participant: str | None,
    title: str | None,
    layout: str,
    max_nodes: int,
    size: str,
    dpi: int,
    with_quotes: bool,
    deck: bool,
    top: int,
    study: str | None,
    db: str | None,
    neo4j: bool,
) -> None:
    """Export the graph (or a part of it) as PNG, SVG, PDF, HTML, GraphML, GEXF or CSV.

    The format follows OUT's suffix; a path without a suffix becomes a folder holding
    nodes.csv and edges.csv. Exports name participants by pseudonym only and leave quotes
    out unless --with-quotes. Images use fonts legible at their size (18 pt body text on a
    slide, nothing under 7 pt in a column): what does not fit is left out, most evidence
    kept, and the footer counts what is drawn. --deck (or a .pptx file) writes a talk deck.

    \b
        challenge-graph export talk.svg --stage "loss function"
        challenge-graph export corpus.png --title "Challenges by stage" --size slide
        challenge-graph export talk.pptx --deck
        challenge-graph export evaluation.graphml --query challenges-at-stage --param stage=evaluation
    """
    from challenge_graph.export.writer import export_graph
    from challenge_graph.queries.network import attach_quotes, limit_nodes, select

    store = open_store(db, neo4j)
    if out.suffix.lower() in (".qdpx", ".qdc"):
        if query_name or stage or challenge or participant or deck:
            raise click.UsageError(
                "a REFI-QDA file holds a whole study: --query, --stage, --challenge, --participant "
                "and --deck do not apply (use --study)"
            )
        _write_refi(store, out, study)
        return
    if study:
        raise click.UsageError("--study applies to .qdpx and .qdc exports")
    if deck or out.suffix.lower() == ".pptx":
        if query_name or stage or challenge or participant:
            raise click.UsageError(
                "a deck is of the whole study: --query, --stage, --challenge and --participant do not apply"
            )
        _write_deck(store, out, title, top)
        return
    values = parse_params(params)
    graph = select(store, query=query_name, params=values, stage=stage, challenge=challenge, participant=participant)
    shown = limit_nodes(graph, max_nodes)
    if with_quotes:
        attach_quotes(store, shown)  # data files: each code's first quote, whole, cited
        if out.suffix.lower() in (".png", ".svg", ".pdf"):  # a picture: the clearest passage
            _clearest_quotes(store, shown)
    summary = corpus_summary(store)
    # the image says what it drew before this (render_image counts the nodes it drew)
    footer = f"corpus: {summary['interviews']} interviews, {summary['participants']} participants"
    default_title = {
        "workflow": "Challenges at each stage and the fixes that address them",
    }.get(graph.graph.get("centre"), graph.graph.get("name") or stage or challenge or participant or query_name or "")
    from challenge_graph.graph.privacy import scan

    exported = [
        (f"{d['kind']} {d['label']!r}", f"{d['label']} {d.get('quote', '')}") for _, d in shown.nodes(data=True)
    ]
    for finding in scan(exported):  # a last look before a talk: flag, do not block
        click.echo(f"privacy: {finding.where}: {finding.kind} {finding.text!r}", err=True)
    result = export_graph(
        shown, out, layout=layout, size=size, dpi=dpi, title=default_title if title is None else title, footer=footer
    )
    for file in result.files:
        click.echo(f"wrote {printable(file)}")
    if result.drawn:  # an image: the nodes drawn, as its footer says
        click.echo(f"{result.drawn}; {result.note}")
        return
    click.echo(
        f"{result.nodes} of {graph.number_of_nodes()} nodes, {result.edges} edges"
        + (f"; {result.note}" if result.note else "")
    )


# --- REFI-QDA: a study for another QDA tool -----------------------------------------------------
def _write_refi(store, out: Path, study: str | None) -> None:
    from challenge_graph.export.refi_qda import write_qdc, write_qdpx
    from challenge_graph.graph.errors import ChallengeGraphError
    from challenge_graph.queries.qda_project import read_project

    if out.parent and not out.parent.exists():
        raise ChallengeGraphError(f"{out.parent}: no such folder")
    project = read_project(store, study)
    if out.suffix.lower() == ".qdc":
        if not project.codes:
            raise ChallengeGraphError(f"study {project.study} has no codes: nothing to put in a codebook")
        written = write_qdc(project, out)
        click.echo(f"wrote {printable(out)}")
        click.echo(f"{written.codes} codes of study {project.study}, with their stages and kinds as sets")
        return
    written = write_qdpx(project, out)
    click.echo(f"wrote {printable(out)}")
    click.echo(
        f"study {project.study}: {written.sources} sources, {written.users} users, {written.codes} codes, "
        f"{written.codings} codings on {written.selections} selections, {written.cases} cases"
    )
    for what in project.left_out:
        click.echo(f"not in the project: {what}")


# --- quotes: the clearest of each code's, cited ---------------------------------------------------
_CODE_QUOTES = (
    "MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c) "
    "WHERE c.id IN $ids AND NOT r.coder IN ['auto', 'auto-semantic'] "
    "MATCH (i:Interview {id: e.interview}) "
    "RETURN DISTINCT c.id AS id, e.text AS text, e.line AS line, e.page AS page, i.title AS interview, "
    "e.position AS turn ORDER BY id, interview, turn"
)
_FILLERS = {"um", "uh", "mm-hmm", "like", "yeah", "so", "okay", "ok", "right", "mean", "know"}


def quote_score(text: str, words_wanted: int = 25) -> float:
    """How well a quote reads on a slide: few fillers ("um", "like") and repeated words ("they,
    they"), about ``words_wanted`` words, and not a stray "Thank you." (under 8 words). Larger
    is better.

    >>> clear = "The joins between the tables were wrong and nobody checked them before training."
    >>> quote_score("Um, so, uh, yeah.") < quote_score("Thank you.") < quote_score(clear)
    True
    """
    words = [w.strip(".,?!…").casefold() for w in text.split()]
    fillers = sum(w in _FILLERS or (i > 0 and w == words[i - 1]) for i, w in enumerate(words))
    share = fillers / max(1, len(words))
    return -100 * share - 0.5 * abs(len(words) - words_wanted) - (40 if len(words) < 8 else 0)


def clearest_passage(text: str, words_wanted: int = 25) -> str:
    """The clearest run of whole sentences of a long turn (by :func:`quote_score`), verbatim,
    with "…" where the turn goes on: a slide quotes a passage, as a paper does.

    >>> clearest_passage("Um, so, uh, yeah. The joins were wrong and nobody checked them. Okay.", 8)
    '… The joins were wrong and nobody checked them. …'
    """
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    if len(text.split()) <= words_wanted * 1.5 or len(sentences) < 2:
        return text
    best, best_score = text, quote_score(text, words_wanted)
    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences) + 1):
            passage = " ".join(sentences[i:j])
            if len(passage.split()) > words_wanted * 1.5:
                break
            score = quote_score(passage, words_wanted)
            if score > best_score:
                best, best_score = ("… " if i else "") + passage + (" …" if j < len(sentences) else ""), score
    return best


def clearest_quotes(
    store, ids: list[str], how_many: int = 1, words_wanted: int = 25
) -> dict[str, list[tuple[str, str]]]:
    """For each code id, its ``how_many`` clearest participant quotes with their citations
    ("Interview 10, p. 6"), by :func:`quote_score`."""
    from challenge_graph.graph.model import citation

    found: dict[str, list[tuple[tuple, str, str]]] = {}
    for row in store.run(_CODE_QUOTES, {"ids": sorted(ids)}).as_dicts():
        where = citation(row.get("line"), row.get("page"))
        cite = ", ".join(part for part in (row.get("interview") or "", where) if part)
        passage = clearest_passage(row["text"], words_wanted)
        found.setdefault(row["id"], []).append((quote_score(passage.strip("… "), words_wanted), passage, cite))
    return {
        code: [(text, cite) for _, text, cite in sorted(rows, key=lambda r: r[0], reverse=True)[:how_many]]
        for code, rows in found.items()
    }


def _clearest_quotes(store, graph) -> None:
    """Each code's quote (``--with-quotes``): the clearest one rather than the first, cited."""
    codes = {d["id"]: n for n, d in graph.nodes(data=True) if d["kind"] in ("Challenge", "Fix", "Practice")}
    found = clearest_quotes(store, list(codes), how_many=5, words_wanted=14)  # about three lines in a column
    used: set[str] = set()
    for code in sorted(found, key=lambda c: (-graph.nodes[codes[c]]["evidence"], c)):
        # a turn coded twice is quoted once: the code with less evidence takes its next clearest
        text, cite = next((q for q in found[code] if q[0] not in used), found[code][0])
        used.add(text)
        data = graph.nodes[codes[code]]
        data["quote"] = text if len(text) <= 160 else text[:159].rsplit(" ", 1)[0] + "…"
        data["citation"] = cite


# --- the talk deck ------------------------------------------------------------------------------
def _write_deck(store, out: Path, title: str | None, top: int) -> None:
    from challenge_graph.export.deck import write_deck
    from challenge_graph.graph.errors import ChallengeGraphError

    if out.suffix.lower() not in (".pdf", ".pptx"):
        raise ChallengeGraphError(f"{out}: a deck is .pdf or .pptx")
    if out.parent and not out.parent.exists():
        raise ChallengeGraphError(f"{out.parent}: no such folder")
    content = deck_content(store, title, top)
    if not content.per_stage:
        raise ChallengeGraphError("nothing to put in a deck: no challenge at a stage has quotes")
    slides = write_deck(content, out)
    click.echo(f"wrote {printable(out)}")
    click.echo(
        f"{slides} slides: an overview, {len(content.stages)} stages with evidence, "
        f"{len(content.challenges)} top challenges"
    )


def deck_content(store, title: str | None = None, top: int = 5):
    """The deck of the study in ``store``: corpus counts, challenges per stage, a slide for each
    top-level stage with evidence (challenges-at-stage) and for the ``top`` challenges with a
    stage (top-challenges), each with its clearest quotes."""
    from challenge_graph.export.deck import ChallengeSlide, Deck, Item, Quote, StageSlide
    from challenge_graph.queries.runner import run_query

    summary = corpus_summary(store)
    counts = [(what, summary.get(what, 0)) for what in ("interviews", "participants", "challenges")]
    counts.append(("quotes coded", summary.get("coded_excerpts", 0)))
    stages, per_stage = [], []
    for row in run_query(store, "stage-overview").as_dicts():
        if row.get("parent"):
            continue  # a sub-stage's challenges are its stage's
        rows = [r for r in run_query(store, "challenges-at-stage", {"stage": row["id"]}).as_dicts() if r["quotes"]]
        if rows:
            per_stage.append((row["stage"], len(rows)))
            items = [Item(r["challenge"], r["participants"], r["quotes"]) for r in rows]
            stages.append(StageSlide(row["stage"], sorted(items, key=lambda i: (-i.quotes, -i.participants))))
    chosen = [r for r in run_query(store, "top-challenges", {"limit": 1000}).as_dicts() if r["stage"]][:top]
    ids = {r["code"]: _code_id(r["code"], r["study"]) for r in chosen}
    quotes = clearest_quotes(store, list(ids.values()), how_many=8)
    challenges, used = [], set()
    for r in chosen:  # a turn coded with two top challenges is quoted on the first one's slide
        best = [(text, cite) for text, cite in quotes.get(ids[r["code"]], []) if text not in used][:3]
        used.update(text for text, _ in best)
        slide = ChallengeSlide(r["challenge"], r["stage"], r["participants"], r["quotes"], [Quote(*q) for q in best])
        challenges.append(slide)
    footer = (
        f"{summary.get('interviews', 0)} interviews, {summary.get('participants', 0)} participants · challenge-graph"
    )
    return Deck(title or "Challenges in the study", counts, per_stage, stages, challenges, footer)


def _code_id(code: str, study: str) -> str:
    """The id of ``code`` of ``study`` in the graph."""
    from challenge_graph.graph.graph_data import code_id
    from challenge_graph.graph.study_scope import scoped_id

    return scoped_id(study, code_id(code))


COMMANDS = [export]

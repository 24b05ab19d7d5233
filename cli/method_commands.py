"""Commands for the method analyses: agreement, saturation, co-occurrence and matrices."""

from __future__ import annotations

from pathlib import Path

import click

from challenge_graph.cli.options import db_option, format_option, friendly, neo4j_option, open_store
from challenge_graph.cli.output import json_text, render
from challenge_graph.graph.errors import ChallengeGraphError

study_option = click.option(
    "--study",
    help="Only this study (its id). With several studies, each is computed on its own by default: "
    "codes and coders of different studies are never pooled.",
)


@click.command()
@click.option("--interview", help="Only this interview (id or title).")
@click.option("--code", help="Only this code.")
@click.option("--include-auto", is_flag=True, help="Count suggestions by the coder auto as a coder.")
@click.option("--consensus", multiple=True, help="A coder to treat as consensus (besides the codebook's).")
@study_option
@format_option
@db_option
@neo4j_option
@friendly
def agreement(
    interview: str | None,
    code: str | None,
    include_auto: bool,
    consensus: tuple[str, ...],
    study: str | None,
    fmt: str,
    db: str | None,
    neo4j: bool,
) -> None:
    """Inter-coder agreement per code and overall: percent agreement, Fleiss' kappa and
    Krippendorff's alpha across coders, Cohen's kappa per coder pair (consensus coders included).

    \b
        challenge-graph agreement --interview "Interview 19"
        challenge-graph agreement --code Data-metadata-issue --format json
    """
    from dataclasses import asdict

    from challenge_graph.queries.agreement import agreement as compute
    from challenge_graph.store.base import QueryResult

    table, pairs = compute(open_store(db, neo4j), interview, code, include_auto, consensus, study)
    if not table:
        raise ChallengeGraphError("no interview has two or more coders: nothing to compare")
    if fmt == "json":
        click.echo(json_text({"codes": [asdict(r) for r in table], "pairs": [asdict(p) for p in pairs]}))
        return
    for rows in (table, pairs):
        columns = list(asdict(rows[0]))
        click.echo(render(QueryResult(columns, [tuple(_round(v) for v in asdict(r).values()) for r in rows]), fmt))
        click.echo("")


def _round(value):
    return round(value, 4) if isinstance(value, float) else value


@click.command()
@click.option(
    "--order",
    type=click.Choice(["interview", "date"]),
    default="interview",
    show_default=True,
    help="interview: titles in natural order; date: an ISO date in the source file name.",
)
@click.option("--base", default=4, show_default=True, help="Base size: interviews before the run is checked.")
@click.option(
    "--run", "run_length", default=2, show_default=True, help="Run length: interviews that must add nothing new."
)
@click.option("--out", type=click.Path(path_type=Path), help="Draw the curve: .png, .svg or .pdf.")
@click.option("--study", help="The study to measure (its id): required when the graph holds several.")
@format_option
@db_option
@neo4j_option
@friendly
def saturation(
    order: str, base: int, run_length: int, out: Path | None, study: str | None, fmt: str, db: str | None, neo4j: bool
) -> None:
    """Code saturation: distinct codes and challenges as interviews accumulate, new codes per
    interview, and the base size + run length check.

    \b
        challenge-graph saturation --out saturation.svg
    """
    from dataclasses import asdict

    from challenge_graph.queries.analysis import saturation as compute
    from challenge_graph.queries.analysis import saturation_check, studies_coded
    from challenge_graph.store.base import QueryResult

    store = open_store(db, neo4j)
    studies = studies_coded(store)
    if study is None and len(studies) > 1:
        raise ChallengeGraphError(
            f"the graph holds {len(studies)} coded studies ({', '.join(studies)}): saturation is measured "
            "within one; give --study ID"
        )
    rows = compute(store, order, study=study)
    if not rows:
        raise ChallengeGraphError("no coded interview yet")
    click.echo(render(QueryResult(list(asdict(rows[0])), [tuple(asdict(r).values()) for r in rows]), fmt))
    check_result = saturation_check(rows, base, run_length)
    verdict = "saturated" if check_result["saturated"] else "not saturated"
    click.echo(
        f"base {base} + run {run_length}: {check_result['new_codes_in_run']} new code(s) in the last "
        f"{check_result['run_interviews']} interview(s) after the base: {verdict}",
        err=True,
    )
    if out:
        from challenge_graph.export.charts import saturation_curve

        saturation_curve(
            [r.interview for r in rows],
            [r.codes for r in rows],
            [r.challenges for r in rows],
            [r.new_codes for r in rows],
            out,
        )
        click.echo(f"wrote {out}", err=True)


@click.command()
@click.option(
    "--out", type=click.Path(path_type=Path), help="Also write the matrix: .csv, or a heat map .png/.svg/.pdf."
)
@click.option("--top", default=20, show_default=True, help="Pairs to print.")
@study_option
@format_option
@db_option
@neo4j_option
@friendly
def cooccurrence(out: Path | None, top: int, study: str | None, fmt: str, db: str | None, neo4j: bool) -> None:
    """Codes applied to the same turns: shared turns and Jaccard per pair, most shared first.

    \b
        challenge-graph cooccurrence --out cooccurrence.csv
        challenge-graph cooccurrence --out cooccurrence.png
    """
    from challenge_graph.queries.analysis import cooccurrence as compute
    from challenge_graph.store.base import QueryResult

    pairs = compute(open_store(db, neo4j), study=study)
    click.echo(
        render(
            QueryResult(
                ["code_a", "code_b", "shared", "jaccard"],
                [(p["code_a"], p["code_b"], p["shared"], round(p["jaccard"], 4)) for p in pairs[:top]],
            ),
            fmt,
        )
    )
    if out:
        codes = sorted({p["code_a"] for p in pairs} | {p["code_b"] for p in pairs})
        cells = {(p["code_a"], p["code_b"]): p["shared"] for p in pairs}
        values = [[cells.get((a, b), cells.get((b, a), 0)) for b in codes] for a in codes]
        _write_matrix(out, codes, codes, values, "Codes applied to the same turns", "shared turns")


@click.command()
@click.argument("kind", type=click.Choice(["participant-challenge", "stage-category"]))
@click.option("--out", type=click.Path(path_type=Path), help="Write the matrix: .csv, or a heat map .png/.svg/.pdf.")
@format_option
@db_option
@neo4j_option
@friendly
def matrix(kind: str, out: Path | None, fmt: str, db: str | None, neo4j: bool) -> None:
    """Matrix tables: participant × challenge quotes, or stage × category challenges.

    \b
        challenge-graph matrix participant-challenge --out participants.csv
    """
    from challenge_graph.queries.analysis import participant_challenge_matrix, stage_category_matrix
    from challenge_graph.store.base import QueryResult

    rows, columns, values = (
        participant_challenge_matrix if kind == "participant-challenge" else stage_category_matrix
    )(open_store(db, neo4j))
    click.echo(render(QueryResult(["", *columns], [(r, *v) for r, v in zip(rows, values)]), fmt))
    if out:
        _write_matrix(out, rows, columns, values, kind.replace("-", " × "), "count")


def _write_matrix(out: Path, rows, columns, values, title: str, label: str) -> None:
    if out.suffix.lower() == ".csv":
        from challenge_graph.export.csv_safe import csv_text

        out.write_text(csv_text(["", *columns], ([r, *v] for r, v in zip(rows, values))), encoding="utf-8")
    else:
        from challenge_graph.export.charts import heat_map

        heat_map(rows, columns, values, out, title=title, label=label)
    click.echo(f"wrote {out}", err=True)


COMMANDS = (agreement, saturation, cooccurrence, matrix)

"""Commands about crosswalks between studies: ``crosswalk suggest`` proposes rows for a person to review."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import click
import yaml

from challenge_graph.cli.options import db_option, friendly, neo4j_option, open_store
from challenge_graph.cli.output import printable
from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.graph.code_matches import CodeRef, Match, likely_matches
from challenge_graph.graph.code_names import tolerant_key
from challenge_graph.graph.errors import ChallengeGraphError
from challenge_graph.graph.model import CODE_LABELS
from challenge_graph.loaders.study_files import parse_crosswalk
from challenge_graph.store.base import GraphStore

__all__ = ["crosswalk", "suggest", "COMMANDS", "code_refs", "matched_pairs", "existing_pairs", "suggestions"]

DEFAULT_CUTOFF = 0.3

# one small query per code label (labels are the schema's constants, never user text)
_CODES = {
    label: f"MATCH (c:{label}) RETURN c.study AS study, c.code AS code, c.name AS name, "
    "c.description AS description ORDER BY study, code"
    for label in CODE_LABELS
}
_MATCHES = {
    label: f"MATCH (a:{label})-[:MATCHES]->(b:{label}) RETURN a.study AS a_study, a.code AS a_code, "
    "b.study AS b_study, b.code AS b_code"
    for label in CODE_LABELS
}
_CODED = {
    label: f"MATCH (e:Excerpt)-[r:CODED_AS]->(c:{label}) WHERE NOT r.coder IN $machine "
    "RETURN DISTINCT c.study AS study, c.code AS code, e.id AS excerpt"
    for label in CODE_LABELS
}

Pair = frozenset[tuple[str, str]]  # two codes as (study, tolerant key of the code), either order


def _pair(a_study: str, a_code: str, b_study: str, b_code: str) -> Pair:
    return frozenset(((a_study, tolerant_key(a_code)), (b_study, tolerant_key(b_code))))


def code_refs(store: GraphStore) -> list[CodeRef]:
    """Every code of every study in the store, as matching sees it."""
    return [
        CodeRef(row["study"] or "", row["code"] or "", row["name"] or "", label, row["description"] or "")
        for label, query in _CODES.items()
        for row in store.run(query).as_dicts()
    ]


def matched_pairs(store: GraphStore) -> set[Pair]:
    """Pairs of codes an accepted crosswalk row already relates (the ``MATCHES`` in the store)."""
    return {_pair(*row) for query in _MATCHES.values() for row in store.run(query).rows}


def existing_pairs(path: Path) -> set[Pair]:
    """Pairs of codes a crosswalk file already has a row for, whatever its status."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ChallengeGraphError(f"{path}: cannot read file: {e.strerror}") from e
    rows = parse_crosswalk(data, str(path)).rows  # a broken file: a LoaderError naming its line
    return {_pair(r.from_study, r.from_code, r.to_study, r.to_code) for r in rows}


def quote_vectors(store: GraphStore) -> dict[tuple[str, str, str], Any] | None:
    """Each code's mean vector of the participant quotes humans coded with it, keyed by
    ``(label, study, code)`` and of unit length; None without the extra or without vectors."""
    from challenge_graph.semantic import available

    if not available():
        return None
    import numpy as np

    from challenge_graph.semantic.vectors import has_vectors, read

    if not has_vectors(store):
        return None
    vectors = read(store)
    if vectors is None or not vectors.ids:
        return None
    row_of = vectors.row()
    rows: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for label, query in _CODED.items():
        for study, code, excerpt in store.run(query, {"machine": list(MACHINE_CODERS)}).rows:
            if excerpt in row_of:
                rows[(label, study, code)].add(row_of[excerpt])
    means = {}
    for key, found in rows.items():
        mean = np.asarray(vectors.matrix[sorted(found)], dtype=np.float64).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        if norm > 0:
            means[key] = mean / norm
    return means


def _cosine(means: dict[tuple[str, str, str], Any], a: CodeRef, b: CodeRef) -> float | None:
    va, vb = means.get((a.label, a.study, a.code)), means.get((b.label, b.study, b.code))
    return None if va is None or vb is None else float(va @ vb)


def suggestions(
    store: GraphStore,
    cutoff: float = DEFAULT_CUTOFF,
    limit: int | None = None,
    leave_out: set[Pair] = frozenset(),
    semantic: bool = True,
) -> tuple[list[dict[str, str]], bool]:
    """Crosswalk rows (status proposed) for likely matches no accepted row relates yet, best
    first, and whether the quotes' vectors added to the scores."""
    means = quote_vectors(store) if semantic else None
    # with vectors every pair is scored, as the quotes may lift a pair the names leave below the cutoff
    matches: list[Match] = likely_matches(code_refs(store), 0.0 if means is not None else cutoff)
    skip = matched_pairs(store) | set(leave_out)
    scored = []
    for m in matches:
        why = m.why if not m.why.endswith(": ") else "no words shared"
        if _pair(m.a.study, m.a.code, m.b.study, m.b.code) in skip:
            continue
        score, note = m.score, f"{why}; score {m.score:.2f}"
        if means is not None:
            cosine = _cosine(means, m.a, m.b)
            if cosine is None:
                note = f"{why}; score {m.score:.2f} (no coded quotes of both codes to compare)"
            else:
                score = m.score + cosine
                note = (
                    f"{why}; coded quotes {cosine:.2f} alike (cosine of their mean vectors); "
                    f"score {m.score:.2f} + {cosine:.2f} = {score:.2f}"
                )
        if score >= cutoff:
            scored.append((score, m, note))
    scored.sort(key=lambda s: (-s[0], s[1].a.study, s[1].a.code, s[1].b.study, s[1].b.code))
    rows = [
        {
            "from": f"{m.a.study}/{m.a.code}",
            "to": f"{m.b.study}/{m.b.code}",
            "relation": m.relation,
            "note": f"suggested: {note}",
            "status": "proposed",
        }
        for _, m, note in scored[:limit]
    ]
    return rows, means is not None


def crosswalk_yaml(rows: list[dict[str, str]], cutoff: float, semantic: bool) -> str:
    """The rows as a crosswalk file, with a header saying how to use it."""
    scoring = "names and descriptions" + (" plus the cosine of the codes' coded quotes" if semantic else "")
    header = (
        f"# Suggested by challenge-graph crosswalk suggest (cutoff {cutoff}; scored on {scoring}).\n"
        "# Review each row: check the relation (SKOS, read from `from`), set status: accepted or\n"
        "# rejected, and paste the rows into crosswalk.yaml. Proposed rows are never counted.\n"
    )
    body = yaml.dump(
        {"rows": rows}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False
    )
    return header + body


class _Dumper(yaml.SafeDumper):
    """Rows indented under ``rows:`` as in the bundled crosswalk.yaml, so they paste below its rows."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


@click.group(short_help="Relate codes of different studies (crosswalk.yaml).")  # the same in every click
def crosswalk() -> None:
    """Relate codes of different studies (crosswalk.yaml). suggest proposes rows for the codes
    likely alike that no accepted row relates yet (options: --cutoff, --limit, --existing FILE,
    --output FILE, --force, --no-semantic; challenge-graph crosswalk suggest --help says more).

    \b
        challenge-graph crosswalk suggest --existing crosswalk.yaml --output suggested.crosswalk.yaml
    """


@crosswalk.command()
@click.option(
    "--cutoff",
    type=click.FloatRange(min=0),
    default=DEFAULT_CUTOFF,
    show_default=True,
    help="Lowest score proposed (names and descriptions 0..1, plus with vectors the quotes' cosine).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Propose at most this many rows (the best).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rows to this file instead of printing them.",
)
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
@click.option(
    "--existing",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A crosswalk file: leave out pairs it already has a row for (accepted, proposed or rejected).",
)
@click.option("--no-semantic", is_flag=True, help="Score on names and descriptions only, even with vectors.")
@db_option
@neo4j_option
@friendly
def suggest(
    cutoff: float,
    limit: int | None,
    output: Path | None,
    force: bool,
    existing: Path | None,
    no_semantic: bool,
    db: str | None,
    neo4j: bool,
) -> None:
    """Propose crosswalk rows: pairs of codes of the same kind from different studies whose
    names and descriptions are alike, which no accepted crosswalk row relates yet. With the
    extra semantic and a load with --semantic, the cosine similarity of the two codes' coded
    quotes (their mean vectors) is added to each score. Printed as a crosswalk file with every
    row's status proposed: review it, set each status, and paste the rows into crosswalk.yaml.

    \b
        challenge-graph crosswalk suggest
        challenge-graph crosswalk suggest --existing crosswalk.yaml --output suggested.crosswalk.yaml
    """
    if output is not None and output.exists() and not force:
        raise click.ClickException(f"{printable(output)} already exists: name a new file or add --force")
    leave_out = existing_pairs(existing) if existing is not None else set()
    rows, semantic = suggestions(open_store(db, neo4j), cutoff, limit, leave_out, not no_semantic)
    text = crosswalk_yaml(rows, cutoff, semantic)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"{printable(output)}: cannot write: {e.strerror}") from e
    click.echo(f"{len(rows)} suggested row(s) written to {printable(output)}", err=True)


COMMANDS = (crosswalk,)

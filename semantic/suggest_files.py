"""``challenge-graph suggest``: codings files (coder ``auto-semantic``) for uncoded turns."""

from __future__ import annotations

from pathlib import Path

from challenge_graph.graph.graph_data import GraphData
from challenge_graph.semantic.load import encoder
from challenge_graph.semantic.suggest import AUTO_SEMANTIC, THRESHOLD, suggest_graph
from challenge_graph.semantic.vectors import encode_graph
from challenge_graph.store.base import GraphStore

__all__ = ["write_suggestions"]


def write_suggestions(
    store: GraphStore, graph: GraphData, targets: set[str], out: Path, threshold: float | None = None
) -> list[tuple[Path, str, int]]:
    """Write one codings file per interview of ``graph`` whose source is in ``targets`` and that
    has suggestions; neighbours are every coded participant turn of ``graph``. Returns
    ``(file written, transcript, suggestions)`` triples."""
    from challenge_graph.loaders.codings_file import dump

    vectors = encode_graph(store, graph, encoder())  # texts the store has vectors for are not encoded again
    found = suggest_graph(graph, vectors, threshold=THRESHOLD if threshold is None else threshold)
    excerpts = graph.table("Excerpt")
    interviews = {row["id"]: row for row in graph.node_rows("Interview")}
    texts: dict[str, list[str]] = {}
    for row in excerpts.values():
        texts.setdefault(row["interview"], []).append(_norm(row["text"]))
    per_interview: dict[str, list[tuple[str, str, str]]] = {}
    for excerpt, codes in found.items():
        row = excerpts[excerpt]
        interview = interviews[row["interview"]]
        quote = " ".join(row["text"].split())
        if interview["source"] not in targets or sum(_norm(quote) in t for t in texts[row["interview"]]) > 1:
            continue  # a turn whose words recur elsewhere in the transcript cannot be pointed at by a quote
        per_interview.setdefault(row["interview"], []).extend((code, quote, row["speaker"]) for code, _share in codes)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for iid, items in sorted(per_interview.items()):
        source = interviews[iid]["source"]
        target = out / f"{Path(source).stem}.{AUTO_SEMANTIC}.codings.yaml"
        target.write_text(
            dump(
                source,
                AUTO_SEMANTIC,
                items,
                comment="Suggested by `challenge-graph suggest` from the codes of the nearest coded turns: "
                "review, edit or delete, then load.",
            ),
            encoding="utf-8",
        )
        written.append((target, source, len(items)))
    return written


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())

"""The semantic step of a load: vectors for the new graph (and ``--suggest``'s codings) before
it is written, the vectors kept with it after.

A store gets vectors when a load asks for them (``load --semantic`` or ``--suggest``); from then
on every load keeps them up to date, encoding only texts it has not seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from challenge_graph.graph.aggregates import add_aggregates, add_coded_turns
from challenge_graph.graph.autocode import AUTO_SEMANTIC
from challenge_graph.graph.figures import totals_of
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import CODE_LABELS, slugify
from challenge_graph.graph.study_scope import scoped_id
from challenge_graph.semantic import available
from challenge_graph.store.base import GraphStore, Progress

if TYPE_CHECKING:
    from challenge_graph.semantic.vectors import ExcerptVectors

# NumPy and the encoder are imported by the steps that use them: a load without the extra, or
# with no vectors kept, starts without them (about 0.1 s)

__all__ = ["prepare", "finish", "add_suggestions", "encoder"]

_ENCODER = None  # one per process: the weights load once


def encoder():
    """The process's encoder (loaded on first use)."""
    global _ENCODER
    if _ENCODER is None:
        from challenge_graph.semantic.encoder import Encoder

        _ENCODER = Encoder()
    return _ENCODER


def prepare(
    store: GraphStore, graph: GraphData, semantic: bool = False, suggest: bool = False, progress: Progress | None = None
) -> ExcerptVectors | None:
    """Vectors for ``graph`` when asked for (or when the store already keeps vectors); with
    ``suggest``, add the suggested codings (coder ``auto-semantic``) to ``graph``.

    Raises
    ------
    SemanticUnavailable
        If asked for while the extra is not installed.
    """
    wanted = semantic or suggest
    if not available():
        if wanted:
            from challenge_graph.semantic.encoder import SemanticUnavailable

            raise SemanticUnavailable("the optional extra")
        return None
    from challenge_graph.semantic.vectors import encode_graph, has_vectors

    if not wanted and not has_vectors(store):
        return None
    vectors = encode_graph(store, graph, encoder(), progress)
    if suggest:
        found = add_suggestions(graph, vectors)
        if progress:
            progress(f"{found} code suggestion(s) by {AUTO_SEMANTIC} for uncoded participant turns")
    return vectors


def finish(store: GraphStore, vectors: ExcerptVectors | None) -> None:
    """Keep the vectors with the graph just written."""
    if vectors is not None:
        from challenge_graph.semantic.vectors import write

        write(store, vectors)


def add_suggestions(graph: GraphData, vectors: ExcerptVectors) -> int:
    """Add the suggestions for ``graph``'s uncoded participant turns as codings by
    ``auto-semantic`` (after the evidence counts: they never add to them; the aggregates that
    count every coder are computed again). Returns how many."""
    node_of = {
        (row["study"], row["code"]): (label, row["id"]) for label in CODE_LABELS for row in graph.node_rows(label)
    }
    excerpts = graph.table("Excerpt")
    study_of = {iid: row["study"] for iid, row in graph.nodes.get("Interview", {}).items()}
    from challenge_graph.semantic.suggest import suggest_graph

    found = suggest_graph(graph, vectors)  # within each study: a code of its codebook for its turns
    interviews = set()
    for excerpt, codes in found.items():
        interview = excerpts[excerpt]["interview"]
        for code, _share in codes:
            graph.add_rel("CODED_AS", ("Excerpt", excerpt), node_of[(study_of[interview], code)], coder=AUTO_SEMANTIC)
        interviews.add(interview)
    for interview in sorted(interviews):
        study = study_of[interview]
        coder = scoped_id(study, slugify(AUTO_SEMANTIC))
        graph.add_node("Coder", {"id": coder, "name": AUTO_SEMANTIC, "consensus": False, "study": study})
        graph.add_rel("CODED", ("Coder", coder), ("Interview", interview), consensus=False)
    if found:  # the stored figures that count every coder (allQuotes, REPORTED…) count these too
        totals = totals_of(graph)  # counted once, from the rows
        add_aggregates(graph, totals)
        add_coded_turns(graph, totals)  # Study.quotes and COVERS leave out coders named auto…: unchanged
    return sum(len(c) for c in found.values())

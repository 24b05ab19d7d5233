"""coded-units pages through every coding of a turn, 50 to a page, or gives them all at once."""

from __future__ import annotations

import pytest

from challenge_graph.graph.codebook import load_codebook
from challenge_graph.graph.errors import QueryError
from challenge_graph.pipeline.ingest import check, ingest
from challenge_graph.queries.runner import PAGE_SIZE, get_query, resolve_params, run_query
from challenge_graph.store.ladybug_store import LadybugStore


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synthetic corpus of 12 interviews (some coded by two coders), loaded, and its folder."""
    from benchmarks.generate import generate_corpus

    folder = tmp_path_factory.mktemp("coded-units")
    generate_corpus(folder / "corpus", 12, seed=3)
    store = LadybugStore(folder / "db")
    ingest(store, [folder / "corpus"])
    yield store, folder / "corpus"
    store.close()


def _expected(corpus_folder) -> list[tuple]:
    """Every coding, from the built graph's rows (no query): sorted as the pages are."""
    _, graph = check([corpus_folder], load_codebook())
    excerpts = {row["id"]: row for row in graph.node_rows("Excerpt")}
    interviews = {row["id"]: row for row in graph.node_rows("Interview")}
    rows = []
    for rel in graph.rel_rows("CODED_AS"):
        excerpt = excerpts[rel["src"]]
        interview = interviews[excerpt["interview"]]
        code = graph.nodes[rel["dstLabel"]][rel["dst"]]
        rows.append(
            (
                interview["id"],
                interview["title"],
                interview["source"],
                interview["turns"],
                excerpt["position"],
                rel["coder"],
                code["code"],
                code["kind"],
            )
        )
    return sorted(rows, key=lambda r: (r[0], r[4], r[5], r[6], r[7]))


def test_pages_hold_every_coding_once_in_order(corpus):
    store, folder = corpus
    expected = _expected(folder)
    assert len(expected) > 3 * PAGE_SIZE
    pages = []
    while rows := run_query(store, "coded-units", {"page": len(pages) + 1}).rows:
        pages.append(rows)
    assert [len(p) for p in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1) and 0 < len(pages[-1]) <= PAGE_SIZE
    assert [row for page in pages for row in page] == expected


def test_page_all_gives_every_coding_at_once(corpus):
    store, folder = corpus
    assert run_query(store, "coded-units", {"page": "ALL"}).rows == _expected(folder)
    assert run_query(store, "coded-units").rows == _expected(folder)[:PAGE_SIZE]  # the first page by default


@pytest.mark.parametrize("page", ["0", "-1", "every", "1.5"])
def test_a_page_is_a_number_from_one_or_all(corpus, page):
    with pytest.raises(QueryError, match=f"page must be a page number from 1 on, or all, not '{page}'"):
        run_query(corpus[0], "coded-units", {"page": page})


@pytest.mark.parametrize("page", ["1", "2", "last", "all"])
def test_neo4j_form_gives_the_same_rows(corpus, page):
    """The clause only Neo4j reads (a condition that lets it read its index in order) changes no
    row: both forms, run on the embedded store, give the same page."""
    store, folder = corpus
    query = get_query("coded-units")
    neo4j_form = query.cypher_for("neo4j")
    assert neo4j_form != query.cypher and "IS NOT NULL" in neo4j_form
    if page == "last":
        page = str(-(-len(_expected(folder)) // PAGE_SIZE))
    values = resolve_params(store, query, {"page": page})
    rows = store.run_table(neo4j_form, values, query.returns).rows
    assert rows and rows == run_query(store, "coded-units", {"page": page}).rows

"""challenge-quotes pages through a challenge's quotes, one row per turn with its coders, and
challenge-quote-context gives the turns around each quote of a page."""

from __future__ import annotations

import pytest

from challenge_graph.graph.errors import QueryError
from challenge_graph.pipeline.ingest import ingest
from challenge_graph.queries.runner import PAGE_SIZE, run_query
from challenge_graph.store.ladybug_store import LadybugStore

HUMAN = "MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $c}) WHERE r.coder <> 'auto' "


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synthetic corpus of 30 interviews (some coded by two coders), with suggestions."""
    from benchmarks.generate import generate_corpus

    folder = tmp_path_factory.mktemp("quotes")
    generate_corpus(folder / "corpus", 30, seed=5)
    store = LadybugStore(folder / "db")
    ingest(store, [folder / "corpus"], autocode=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def busiest(corpus):
    """The challenge with the most quoted turns (more than two pages of them)."""
    cid, turns = corpus.run(
        "MATCH (:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(c:Challenge) WHERE r.coder <> 'auto' "
        "RETURN c.id, count(DISTINCT e) AS n ORDER BY n DESC, c.id LIMIT 1"
    ).rows[0]
    assert turns > 2 * PAGE_SIZE
    return cid


def _all_pages(store, challenge: str, coders: str = "human") -> list[list[dict]]:
    pages: list[list[dict]] = []
    while rows := run_query(
        store, "challenge-quotes", {"challenge": challenge, "coders": coders, "page": len(pages) + 1}
    ).as_dicts():
        pages.append(rows)
    return pages


def test_pages_hold_every_turn_once_in_order_with_its_coders(corpus, busiest):
    expected = {
        excerpt: (interview, position, sorted(coders))
        for excerpt, interview, position, coders in corpus.run(
            HUMAN + "RETURN e.id, e.interview, e.position, collect(r.coder)", {"c": busiest}
        ).rows
    }
    pages = _all_pages(corpus, busiest)
    assert [len(p) for p in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1) and 0 < len(pages[-1]) <= PAGE_SIZE
    rows = [r for p in pages for r in p]
    assert len(rows) == len(expected) and len({r["excerpt"] for r in rows}) == len(rows)  # one row per turn
    assert {r["excerpt"]: (expected[r["excerpt"]][0], r["turn"], r["coders"]) for r in rows} == expected
    order = [(expected[r["excerpt"]][0], r["turn"]) for r in rows]
    assert order == sorted(order)  # interview, then turn
    assert any(len(r["coders"]) == 2 for r in rows)  # a turn coded by two coders names both


def test_every_row_carries_the_totals(corpus, busiest):
    for coders, where in (("human", "WHERE r.coder <> 'auto' "), ("all", "")):
        total, people = corpus.run(
            "MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $c}) "
            + where
            + "RETURN count(DISTINCT e), count(DISTINCT p)",
            {"c": busiest},
        ).rows[0]
        rows = [r for p in _all_pages(corpus, busiest, coders) for r in p]
        assert len(rows) == total
        assert {(r["total"], r["participants"]) for r in rows} == {(total, people)}


def test_a_page_past_the_last_is_empty_and_page_zero_is_refused(corpus, busiest):
    last = len(_all_pages(corpus, busiest))
    assert run_query(corpus, "challenge-quotes", {"challenge": busiest, "page": last + 1}).rows == []
    with pytest.raises(QueryError, match="page must be a page number from 1 on, or all, not '0'"):
        run_query(corpus, "challenge-quotes", {"challenge": busiest, "page": "0"})


def test_context_of_a_page_equals_excerpt_context_of_each_quote(corpus, busiest):
    quotes = run_query(corpus, "challenge-quotes", {"challenge": busiest, "page": 2}).as_dicts()
    context = run_query(corpus, "challenge-quote-context", {"challenge": busiest, "page": 2}).as_dicts()
    assert {r["quote"] for r in context} == {q["excerpt"] for q in quotes}
    for q in quotes:
        around = [{k: v for k, v in r.items() if k != "quote"} for r in context if r["quote"] == q["excerpt"]]
        assert around == run_query(corpus, "excerpt-context", {"excerpt": q["excerpt"]}).as_dicts()

"""Measure loads and named queries on a Neo4j server (the test server or any other).

    set -a; . <(python tests/neo4j_server.py start); set +a
    python -m benchmarks.neo4j                       # 1,000 interviews, batch sizes 2,000-20,000
    python -m benchmarks.neo4j --sizes 10 --batch-sizes 500 --naive-max 10 --runs 2   # smoke test

For each corpus size: reading, parsing and building alone, the embedded store's full load, the
Neo4j full load (read, parse, build, write, sweep) with each batch size into an emptied database,
the named queries' medians on the loaded graph, and the naive reference
(one auto-commit statement per node and relationship, as a tutorial script does) up to
--naive-max interviews. Writes benchmarks/results-neo4j.json. It empties the database it is
pointed at: never point it at a server that holds anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import generate_corpus
from benchmarks.report import machine as _machine
from benchmarks.report import p95 as _p95
from benchmarks.run import _typical_params
from challenge_graph.graph.codebook import load_codebook
from challenge_graph.graph.model import NODES, RELATIONSHIPS
from challenge_graph.pipeline.ingest import check, ingest
from challenge_graph.queries.runner import list_queries, run_query
from challenge_graph.store.ladybug_store import LadybugStore
from challenge_graph.store.neo4j_store import Neo4jStore

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.neo4j", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[2000, 5000, 10000, 20000])
    parser.add_argument("--naive-max", type=int, default=100, help="largest N for the naive loader")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query (after a warm-up)")
    parser.add_argument("--out", type=Path, default=HERE / "results-neo4j.json")
    args = parser.parse_args(argv)
    env = {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_PASSWORD")}
    connect = lambda batch: Neo4jStore.connect(  # noqa: E731
        env["NEO4J_URI"],
        os.environ.get("NEO4J_USERNAME", "neo4j"),
        env["NEO4J_PASSWORD"],
        os.environ.get("NEO4J_DATABASE", "neo4j"),
        batch_size=batch,
    )
    store = connect(args.batch_sizes[0])
    version = store.driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v").records[0][
        "v"
    ]
    results: dict[str, Any] = {"machine": {**_machine(), "neo4j": version}, "sizes": {}}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"cg-neo4j-{n}-") as tmp:
            corpus = Path(tmp) / "corpus"
            generate_corpus(corpus, n)
            size: dict[str, Any] = {"loads": {}}
            start = time.perf_counter()
            check([corpus], load_codebook())
            size["parse_build"] = round(time.perf_counter() - start, 2)  # a load's share before writing
            start = time.perf_counter()
            ingest(LadybugStore(Path(tmp) / "embedded"), [corpus])
            size["embedded_load"] = round(time.perf_counter() - start, 2)
            print(
                f"N={n}: parse+build {size['parse_build']} s, embedded full load {size['embedded_load']} s", flush=True
            )
            for batch in args.batch_sizes:
                empty_graph(store)
                batched = connect(batch)
                start = time.perf_counter()
                ingest(batched, [corpus], replace=True)
                size["loads"][str(batch)] = round(time.perf_counter() - start, 2)
                batched.close()
                print(f"N={n} batch {batch}: full load {size['loads'][str(batch)]} s", flush=True)
            size["counts"] = {label: store.run(f"MATCH (n:{label}) RETURN count(n)").rows[0][0] for label in NODES}
            size["queries"] = _queries(store, args.runs)
            if n <= args.naive_max:
                empty_graph(store)
                start = time.perf_counter()
                size["naive_statements"] = naive_load_neo4j(store, corpus)
                size["naive"] = round(time.perf_counter() - start, 2)
                print(f"N={n} naive: {size['naive']} s, {size['naive_statements']} statements", flush=True)
            results["sizes"][str(n)] = size
    empty_graph(store)
    store.close()
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


def empty_graph(store: Neo4jStore) -> None:
    """Delete every node of the graph model, in batches."""
    while store.driver.execute_query(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) WITH n LIMIT 20000 DETACH DELETE n "
        "RETURN count(*) AS n",
        {"labels": list(NODES)},
        database_=store.database,
    ).records[0]["n"]:
        pass


def _queries(store: Neo4jStore, runs: int) -> dict[str, dict[str, float]]:
    params = _typical_params(store)
    timings = {}
    for query in list_queries():
        given = {p.name: params[p.name] for p in query.params if p.required}
        run_query(store, query.name, given)  # warm-up: plan cached
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            run_query(store, query.name, given)
            samples.append((time.perf_counter() - start) * 1000)
        timings[query.name] = {"median_ms": round(statistics.median(samples), 1), "p95_ms": round(_p95(samples), 1)}
        print(f"  {query.name}: {timings[query.name]['median_ms']} ms", flush=True)
    return timings


def naive_load_neo4j(store: Neo4jStore, corpus: Path) -> int:
    """The reference: parse and build as a load does, then one auto-commit statement per node and
    relationship (``CREATE`` a node, ``MATCH … MATCH … CREATE`` an edge); return how many."""
    from challenge_graph.graph.build import build_graph
    from challenge_graph.graph.codebook import load_codebook
    from challenge_graph.loaders import load_paths

    graph = build_graph(load_paths([corpus]).records, load_codebook())
    statements = 0
    with store.driver.session(database=store.database) as session:
        for label, props in NODES.items():
            for row in graph.node_rows(label):
                session.run(f"CREATE (n:{label}) SET n = $row", row={p: row[p] for p in props}).consume()
                statements += 1
        for rel, (_, props) in RELATIONSHIPS.items():
            for row in graph.rel_rows(rel):
                session.run(
                    f"MATCH (a:{row['srcLabel']} {{id: $src}}) MATCH (b:{row['dstLabel']} {{id: $dst}}) "
                    f"CREATE (a)-[r:{rel}]->(b) SET r = $props",
                    src=row["src"],
                    dst=row["dst"],
                    props={p: row[p] for p in props},
                ).consume()
                statements += 1
    return statements


if __name__ == "__main__":
    main()

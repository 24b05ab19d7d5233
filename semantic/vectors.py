"""One vector per participant excerpt, kept with the graph and reused by text hash.

Embedded store: ``<db>/vectors/excerpts.json`` (model, excerpt ids, text hashes) and the matrix
it names (``excerpts-<n>.npy``, float32, one unit row per id), written after the graph is swapped
in. Neo4j: the properties ``embedding`` and ``textHash`` on ``Excerpt`` nodes and the vector
index ``excerpt_embedding``. Either way a reload encodes only texts whose hash it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from challenge_graph.graph.autocode import MACHINE_CODERS
from challenge_graph.graph.errors import StoreError
from challenge_graph.graph.graph_data import GraphData
from challenge_graph.graph.model import CODE_LABELS, PARTICIPANT
from challenge_graph.graph.progress import Step
from challenge_graph.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np  # imported where used: a load that keeps no vectors never needs it

__all__ = ["ExcerptVectors", "text_hash", "participant_excerpts", "encode_graph", "read", "write", "has_vectors"]
__all__ += ["human_codes"]

INDEX_NAME = "excerpt_embedding"
INDEX_FILE = "excerpts.json"
INDEX_WAIT_SECONDS = 600  # Neo4j: how long a load waits for its vector index to be complete
WRITE_BATCH = 2000  # excerpts per Neo4j write transaction


@dataclass
class ExcerptVectors:
    """Unit vectors of excerpts: row ``i`` of ``matrix`` belongs to ``ids[i]``."""

    model: str
    ids: list[str]
    hashes: list[str]
    matrix: np.ndarray
    encoded: int = 0  # how many texts this load had to encode (the others came from the cache)
    codes: list[list[str]] | None = None  # embedded store: each excerpt's human codes, for fast hits

    def by_hash(self) -> dict[str, np.ndarray]:
        return {h: self.matrix[i] for i, h in enumerate(self.hashes)}

    def row(self) -> dict[str, int]:
        return {excerpt: i for i, excerpt in enumerate(self.ids)}


def text_hash(text: str) -> str:
    """The cache key of a text: its words, whitespace-normalised, hashed.

    >>> text_hash("The  loss\\n diverged.") == text_hash("The loss diverged.")
    True
    """
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


def human_codes(graph: GraphData) -> dict[str, set[str]]:
    """Excerpt id → the codes humans gave it (suggestions left out)."""
    code_of = {(label, row["id"]): row["code"] for label in CODE_LABELS for row in graph.node_rows(label)}
    out: dict[str, set[str]] = defaultdict(set)
    for rel in graph.rel_rows("CODED_AS"):
        if rel["coder"] not in MACHINE_CODERS:
            out[rel["src"]].add(code_of[(rel["dstLabel"], rel["dst"])])
    return out


def participant_excerpts(graph: GraphData) -> list[dict[str, Any]]:
    """The excerpts that get a vector: participants' turns with words in them."""
    return [r for r in graph.node_rows("Excerpt") if r["role"] == PARTICIPANT and r["text"].strip()]


def encode_graph(
    store: GraphStore,
    graph: GraphData,
    encoder: Any,
    progress: Callable[[str], None] | None = None,
) -> ExcerptVectors:
    """Vectors for the participant excerpts of ``graph``: those of texts the store already has a
    vector for are reused, the others encoded (``encoder.encode``)."""
    import numpy as np

    rows = participant_excerpts(graph)
    hashes = [text_hash(r["text"]) for r in rows]
    known = {}
    old = read(store)
    if old is not None and old.model == encoder.name:
        known = old.by_hash()
    todo: dict[str, str] = {}
    for row, h in zip(rows, hashes):
        if h not in known and h not in todo:
            todo[h] = row["text"]
    if todo:
        if progress:
            progress(f"encoding {len(todo)} new excerpt text(s) for semantic search ({len(known)} cached)")
        report = None
        if progress:

            def report(done: int, total: int) -> None:
                if done == total or done % 1024 == 0:
                    progress(Step(f"encoded {done} of {total}", "encoding", done, total))

        fresh = encoder.encode(list(todo.values()), report)
        known.update(zip(todo, fresh))
    matrix = np.stack([known[h] for h in hashes]) if rows else np.zeros((0, encoder.dimensions), np.float32)
    coded = human_codes(graph)
    codes = [sorted(coded.get(r["id"], ())) for r in rows]
    return ExcerptVectors(encoder.name, [r["id"] for r in rows], hashes, matrix.astype(np.float32), len(todo), codes)


def read(store: GraphStore) -> ExcerptVectors | None:
    """The vectors kept with the store's graph (None when it has none)."""
    import numpy as np

    folder = _folder(store)
    if folder is not None:
        try:
            meta = json.loads((folder / INDEX_FILE).read_text(encoding="utf-8"))
            matrix = np.load(folder / meta["matrix"], mmap_mode="r")
        except (OSError, ValueError, KeyError):
            return None
        return ExcerptVectors(meta["model"], meta["ids"], meta["hashes"], matrix, codes=meta.get("codes"))
    if store.dialect == "neo4j":
        return _read_neo4j(store)
    return None


def has_vectors(store: GraphStore) -> bool:
    """True when the store's graph keeps excerpt vectors (a cheap look, not a read)."""
    folder = _folder(store)
    if folder is not None:
        return (folder / INDEX_FILE).exists()
    if store.dialect == "neo4j":
        return bool(store.run("MATCH (e:Excerpt) WHERE e.embedding IS NOT NULL RETURN e.id LIMIT 1").rows)
    return False


def write(store: GraphStore, vectors: ExcerptVectors) -> None:
    """Keep ``vectors`` with the store's graph, replacing what it had."""
    import numpy as np

    folder = _folder(store)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"excerpts-{uuid.uuid4().hex[:12]}.npy"
        with open(folder / name, "wb") as f:
            np.save(f, np.ascontiguousarray(vectors.matrix, dtype=np.float32))
            f.flush()
            os.fsync(f.fileno())
        meta = {"model": vectors.model, "matrix": name, "ids": vectors.ids, "hashes": vectors.hashes}
        if vectors.codes is not None:
            meta["codes"] = vectors.codes
        tmp = folder / (INDEX_FILE + ".new")
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, folder / INDEX_FILE)  # readers see the old matrix or the new one, whole
        for stale in folder.glob("excerpts-*.npy"):
            if stale.name != name:
                stale.unlink(missing_ok=True)
    elif store.dialect == "neo4j":
        _write_neo4j(store, vectors)


def _folder(store: GraphStore) -> Path | None:
    """The embedded store's vectors folder, beside the database file."""
    path = getattr(store, "path", None)
    return Path(path) / "vectors" if store.dialect != "neo4j" and path is not None else None


def _read_neo4j(store: GraphStore) -> ExcerptVectors | None:
    import numpy as np

    result = store.run(
        "MATCH (e:Excerpt) WHERE e.embedding IS NOT NULL "
        "RETURN e.id AS id, e.textHash AS hash, e.embeddingModel AS model, e.embedding AS vector ORDER BY id"
    )
    if not result.rows:
        return None
    models = {row[2] for row in result.rows}
    matrix = np.asarray([row[3] for row in result.rows], dtype=np.float32)
    return ExcerptVectors(
        models.pop() if len(models) == 1 else "", [r[0] for r in result.rows], [r[1] for r in result.rows], matrix
    )


def _write_neo4j(store: Any, vectors: ExcerptVectors) -> None:
    """Set ``embedding`` where it is missing or stale, and make sure the vector index exists."""
    import neo4j

    def write_query(cypher: str, params: dict[str, Any]) -> None:
        try:
            store.driver.execute_query(cypher, params, database_=store.database, routing_=neo4j.RoutingControl.WRITE)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as e:  # the graph itself is written
            message = f"{store.describe()}: the graph is loaded, but its excerpt vectors were not kept: {e}"
            raise StoreError(message) from e

    stored = {
        row[0]: (row[1], row[2])
        for row in store.run(
            "MATCH (e:Excerpt) WHERE e.embedding IS NOT NULL RETURN e.id, e.textHash, e.embeddingModel"
        ).rows
    }
    rows = [
        {"id": excerpt, "hash": h, "vector": vectors.matrix[i].tolist()}
        for i, (excerpt, h) in enumerate(zip(vectors.ids, vectors.hashes))
        if stored.get(excerpt) != (h, vectors.model)
    ]
    for start in range(0, len(rows), WRITE_BATCH):
        write_query(
            "UNWIND $rows AS row MATCH (e:Excerpt {id: row.id}) "
            "SET e.embedding = row.vector, e.textHash = row.hash, e.embeddingModel = $model",
            {"rows": rows[start : start + WRITE_BATCH], "model": vectors.model},
        )
    keep = set(vectors.ids)
    gone = [excerpt for excerpt in stored if excerpt not in keep]  # no longer a participant's turn
    for start in range(0, len(gone), WRITE_BATCH):
        write_query(
            "UNWIND $ids AS id MATCH (e:Excerpt {id: id}) REMOVE e.embedding, e.textHash, e.embeddingModel",
            {"ids": gone[start : start + WRITE_BATCH]},
        )
    dimensions = int(vectors.matrix.shape[1]) if len(vectors.ids) else 384
    write_query(
        "CREATE VECTOR INDEX excerpt_embedding IF NOT EXISTS FOR (e:Excerpt) ON (e.embedding) "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}",
        {"dimensions": dimensions},
    )
    # the index fills asynchronously after CREATE: a search before it is complete misses quotes
    write_query("CALL db.awaitIndex($name, $seconds)", {"name": INDEX_NAME, "seconds": INDEX_WAIT_SECONDS})

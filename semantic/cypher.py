"""The Cypher that semantic search runs, named, with parameters only (same rows on both stores)."""

from __future__ import annotations

from challenge_graph.graph.autocode import MACHINE_CODERS as _MACHINE_CODERS
from challenge_graph.graph.model import CODE_LABELS

__all__ = ["HITS", "CODED_WITH", "AT_STAGE", "NEAREST_NEO4J", "MACHINE_CODERS", "EXCERPTS", "TITLES"]
__all__ += ["CODES_NAMED", "CODES_AT_STAGE"]

# coders whose codings are suggestions, never evidence
MACHINE_CODERS = list(_MACHINE_CODERS)

# hits: the excerpts with their speaker, interview, line and human codes
HITS = """
UNWIND $ids AS id
MATCH (e:Excerpt {id: id})-[:FROM]->(i:Interview)
OPTIONAL MATCH (e)-[r:CODED_AS]->(c)
WITH e, i, CASE WHEN r IS NULL OR r.coder IN $machine THEN NULL ELSE c.code END AS code
RETURN e.id AS excerpt, e.speaker AS speaker, i.title AS interview, e.line AS line, e.page AS page, e.text AS quote,
       collect(DISTINCT code) AS codes
"""

# candidates: excerpts a human coded with a code (by code, name or id, any case)
CODED_WITH = """
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
WHERE NOT r.coder IN $machine AND (lower(c.code) = $code OR c.id = $code OR lower(c.name) = $code)
RETURN DISTINCT e.id AS excerpt
"""

# candidates: excerpts a human coded with a code at a stage or one of its sub-stages
AT_STAGE = """
MATCH (top:Stage) WHERE top.id = $stage OR lower(top.name) = $stage
MATCH (s:Stage)-[:PART_OF*0..3]->(top)
MATCH (c)-[:AT_STAGE]->(s)
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
WHERE NOT r.coder IN $machine
RETURN DISTINCT e.id AS excerpt
"""

# Neo4j, a study of ordinary size: every stored vector scored on the server (exact)
NEAREST_EXACT_NEO4J = """
MATCH (e:Excerpt) WHERE e.embedding IS NOT NULL
WITH e, vector.similarity.cosine(e.embedding, $vector) AS score
ORDER BY score DESC LIMIT $k
RETURN e.id AS excerpt, e.embedding AS embedding
"""

# the number of turns, from Neo4j's count store (no scan): at least as many as turns with a vector
EXCERPT_COUNT_NEO4J = "MATCH (e:Excerpt) RETURN count(e) AS excerpts"

# Neo4j's vector index (approximate, its vectors quantised): candidates, scored again exactly
NEAREST_NEO4J = """
CALL db.index.vector.queryNodes('excerpt_embedding', $k, $vector) YIELD node
RETURN node.id AS excerpt, node.embedding AS embedding
"""

# embedded store (codes kept with the vectors): the hits' rows by primary key, fast
EXCERPTS = """
UNWIND $ids AS id
MATCH (e:Excerpt {id: id})
RETURN e.id AS excerpt, e.speaker AS speaker, e.interview AS interview, e.line AS line, e.page AS page, e.text AS quote
"""
TITLES = "UNWIND $ids AS id MATCH (i:Interview {id: id}) RETURN i.id AS id, i.title AS title"

# the codes a --code or --stage value names, one small query per code label
CODES_NAMED = {
    label: f"MATCH (c:{label}) WHERE lower(c.code) = $code OR c.id = $code OR lower(c.name) = $code RETURN c.code"
    for label in CODE_LABELS
}
CODES_AT_STAGE = {
    label: "MATCH (top:Stage) WHERE top.id = $stage OR lower(top.name) = $stage "
    f"MATCH (s:Stage)-[:PART_OF*0..3]->(top) MATCH (c:{label})-[:AT_STAGE]->(s) RETURN DISTINCT c.code"
    for label in CODE_LABELS
}

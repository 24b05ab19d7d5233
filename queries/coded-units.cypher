// name: coded-units
// title: Coded units
// description: Every coding of a turn with its interview and coder, the raw material of agreement, saturation and co-occurrence analyses: one row per turn, code and coder, 50 to a page in interview, turn, coder and code order (page=all gives every coding at once; a page past the last has no rows).
// param: page PAGE = 1  Which page of 50 codings (1-based), or all
// returns: interview, title, source, turns, position, coder, code, kind
// the page is chosen on small keys first; its interviews are read afterwards
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
// every excerpt has both: the condition lets Neo4j read the codings in its index's order (it costs LadybugDB a scan)
// on neo4j: WHERE e.interview IS NOT NULL AND e.position IS NOT NULL
WITH e.interview AS interview, e.position AS position, r.coder AS coder, c.code AS code, c.kind AS kind
ORDER BY interview, position, coder, code, kind SKIP $page_skip LIMIT $page_size
MATCH (i:Interview {id: interview})
RETURN interview, i.title AS title, i.source AS source, i.turns AS turns, position, coder, code, kind
ORDER BY interview, position, coder, code, kind

// name: coded-units
// title: Coded units
// description: Every coding of a turn with its interview and coder, the raw material of agreement, saturation and co-occurrence analyses (rows unordered beyond the ORDER BY; one row per turn, code and coder).
// returns: interview, title, source, turns, position, coder, code, kind
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
MATCH (e)-[:FROM]->(i:Interview)
RETURN i.id AS interview, i.title AS title, i.source AS source, i.turns AS turns, e.position AS position,
       r.coder AS coder, c.code AS code, c.kind AS kind
ORDER BY interview, position, coder, code

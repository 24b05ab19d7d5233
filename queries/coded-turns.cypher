// name: coded-turns
// title: Coded turns by code and coder
// description: Every coding, grouped: one row per code and coder with the interviews and positions of the turns it was applied to, as two lists of the same length and order (the i-th interview and i-th position name one turn). The same codings as coded-units in 1/25 of the rows: the input of the agreement, saturation and co-occurrence analyses.
// returns: code, kind, coder, interviews, positions
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
RETURN c.code AS code, c.kind AS kind, r.coder AS coder,
       collect(e.interview) AS interviews, collect(e.position) AS positions
ORDER BY code, coder

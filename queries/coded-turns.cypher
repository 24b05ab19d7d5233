// name: coded-turns
// title: Coded turns by code and coder
// description: Every coding, grouped: one row per code and coder with the interviews and positions of the turns it was applied to, as two lists of the same length, in interview and position order (the i-th interview and i-th position name one turn). The same codings as coded-units in 1/25 of the rows: the input of the agreement, saturation and co-occurrence analyses.
// returns: code, kind, coder, interviews, positions, study
MATCH (e:Excerpt)-[r:CODED_AS]->(c)
WITH c.study AS study, c.code AS code, c.kind AS kind, r.coder AS coder, e.interview AS interview,
     e.position AS position
// turns in interview and position order inside each list, so both stores give the same lists
ORDER BY interview, position SKIP 0
RETURN code, kind, coder, collect(interview) AS interviews, collect(position) AS positions, study
ORDER BY study, code, coder

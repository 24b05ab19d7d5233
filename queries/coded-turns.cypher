// name: coded-turns
// title: Coded turns by code and coder
// description: Every coding, grouped: one row per code and coder with the interviews and positions of the turns it was applied to, as two lists of the same length, in interview and position order (the i-th interview and i-th position name one turn). The same codings as coded-units in 1/25 of the rows: the input of the agreement, saturation and co-occurrence analyses.
// returns: code, kind, coder, interviews, positions, study
// stored by the build (graph/aggregates.py): one node per code and coder
MATCH (t:CodedTurns)
RETURN t.code AS code, t.kind AS kind, t.coder AS coder, t.interviews AS interviews, t.positions AS positions,
       t.study AS study
ORDER BY study, code, coder, kind

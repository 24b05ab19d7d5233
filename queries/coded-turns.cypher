// name: coded-turns
// title: Coded turns by code and coder
// description: Every coding, grouped: one row per code and coder with the ids of the excerpts (turns) it was applied to, in interview and position order (an excerpt's id is its interview's id, a colon and its position: interview-35:72). The same codings as coded-units in 1/25 of the rows: the input of the agreement, saturation and co-occurrence analyses.
// returns: code, kind, coder, excerpts, study
// stored by the build (graph/aggregates.py): one node per code and coder
MATCH (t:CodedTurns)
RETURN t.code AS code, t.kind AS kind, t.coder AS coder, t.excerpts AS excerpts, t.study AS study
ORDER BY study, code, coder, kind

// name: tools-by-stage
// title: Tools by stage
// description: Tools mentioned in participant quotes coded at each stage (a quote counts at the stage of each code on it, by any coder; MENTIONED_AT, stored by the build: graph/aggregates.py).
// returns: position, stage, tool, kind, participants, quotes
MATCH (t:Tool)-[m:MENTIONED_AT]->(s:Stage)
RETURN s.position AS position, s.name AS stage, t.name AS tool, t.kind AS kind,
       m.participants AS participants, m.quotes AS quotes
ORDER BY position, quotes DESC, tool

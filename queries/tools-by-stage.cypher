// name: tools-by-stage
// title: Tools by stage
// description: Tools mentioned in participant quotes coded at each stage (a quote counts at the stage of each code on it, by any coder; MENTIONED_AT, stored by the build: graph/aggregates.py).
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: position, stage, tool, kind, participants, quotes, study
MATCH (t:Tool)-[m:MENTIONED_AT]->(s:Stage)
WHERE $study = '' OR s.study = $study
RETURN s.position AS position, s.name AS stage, t.name AS tool, t.kind AS kind,
       m.participants AS participants, m.quotes AS quotes, s.study AS study
ORDER BY study, position, quotes DESC, tool

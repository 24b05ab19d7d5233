// name: tools-by-stage
// title: Tools by stage
// description: Tools mentioned in participant quotes coded at each stage (a quote counts at the stage of each code on it).
// returns: position, stage, tool, kind, participants, quotes
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:MENTIONS]->(t:Tool)
MATCH (e)-[:CODED_AS]->(c)-[:AT_STAGE]->(s:Stage)
RETURN s.position AS position, s.name AS stage, t.name AS tool, t.kind AS kind,
       count(DISTINCT p) AS participants, count(DISTINCT e) AS quotes
ORDER BY position, quotes DESC, tool

// name: challenge-tools
// title: Tools mentioned with a challenge
// description: Tools mentioned in the participant quotes coded with a challenge.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: tool, kind, participants, quotes
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(:Challenge {id: $challenge})
MATCH (e)-[:MENTIONS]->(t:Tool)
RETURN t.name AS tool, t.kind AS kind, count(DISTINCT p) AS participants, count(DISTINCT e) AS quotes
ORDER BY quotes DESC, tool

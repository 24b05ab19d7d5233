// name: fixes-for-challenge
// title: Fixes for a challenge
// description: The fixes that address a challenge, with the participants and quotes behind each fix.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive), e.g. "QM-robustness"
// returns: fix, code, participants, quotes
MATCH (f:Fix)-[:ADDRESSES]->(:Challenge {id: $challenge})
OPTIONAL MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(f)
RETURN f.name AS fix, f.code AS code, count(DISTINCT p) AS participants, count(DISTINCT e) AS quotes
ORDER BY participants DESC, quotes DESC, fix

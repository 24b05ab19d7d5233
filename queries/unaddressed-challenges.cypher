// name: unaddressed-challenges
// title: Unaddressed challenges
// description: Challenges that no coded fix addresses, most reported first: where the study found no answer yet.
// returns: challenge, code, stage, participants, quotes
MATCH (c:Challenge)
WHERE NOT (c)<-[:ADDRESSES]-(:Fix)
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       c.participants AS participants, c.quotes AS quotes
ORDER BY participants DESC, quotes DESC, challenge

// name: top-challenges
// title: Top challenges
// description: The challenges reported by the most participants (then by quotes), with their stage.
// param: limit INT = 10  How many challenges to list
// returns: challenge, code, stage, participants, interviews, quotes
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c:Challenge)
WITH c, count(DISTINCT p) AS participants, count(DISTINCT e.interview) AS interviews,
     count(DISTINCT e) AS quotes
ORDER BY participants DESC, quotes DESC, c.name
LIMIT $limit
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN c.name AS challenge, c.code AS code, s.name AS stage, participants, interviews, quotes
ORDER BY participants DESC, quotes DESC, challenge

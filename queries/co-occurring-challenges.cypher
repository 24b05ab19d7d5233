// name: co-occurring-challenges
// title: Co-occurring challenges
// description: Challenges coded on the same turns as a challenge. Two codings of one turn count once per pair of distinct CODED_AS relationships, as Neo4j counts (r1 <> r2 is explicit for LadybugDB).
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: challenge, code, excerpts, codings
MATCH (c:Challenge {id: $challenge})<-[r1:CODED_AS]-(e:Excerpt)-[r2:CODED_AS]->(other:Challenge)
WHERE r1 <> r2 AND other.id <> c.id
RETURN other.name AS challenge, other.code AS code, count(DISTINCT e) AS excerpts, count(*) AS codings
ORDER BY excerpts DESC, codings DESC, challenge

// name: co-occurring-challenges
// title: Co-occurring challenges
// description: Challenges coded on the same turns as a challenge: the turns coded with both, and the pairs of their codings (a turn coded with both by two coders counts four), as Neo4j counts distinct CODED_AS relationships. Stored by the build (graph/aggregates.py).
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: challenge, code, excerpts, codings
MATCH (:Challenge {id: $challenge})-[r:CO_OCCURS]->(other:Challenge)
RETURN other.name AS challenge, other.code AS code, r.excerpts AS excerpts, r.codings AS codings
ORDER BY excerpts DESC, codings DESC, challenge

// name: unaddressed-challenges
// title: Unaddressed challenges
// description: Challenges that no coded fix addresses, most reported first: where the study found no answer yet.
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: challenge, code, stage, participants, quotes, study
MATCH (c:Challenge)
WHERE NOT (c)<-[:ADDRESSES]-(:Fix)
  AND ($study = '' OR c.study = $study)
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       c.participants AS participants, c.quotes AS quotes, c.study AS study
ORDER BY participants DESC, quotes DESC, challenge

// name: top-challenges
// title: Top challenges
// description: The challenges reported by the most participants (then by quotes), with their stage.
// param: limit INT = 10  How many challenges to list
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: challenge, code, stage, participants, interviews, quotes, study
MATCH (c:Challenge)
WHERE c.quotes > 0
  AND ($study = '' OR c.study = $study)
WITH c ORDER BY c.participants DESC, c.quotes DESC, c.name LIMIT $limit
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
// evidence counts are stored on each code by the build; challenge-quotes lists the quotes
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       c.participants AS participants, c.interviews AS interviews, c.quotes AS quotes, c.study AS study
ORDER BY participants DESC, quotes DESC, challenge

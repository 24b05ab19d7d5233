// name: stage-overview
// title: Stage overview
// description: Every workflow stage in order, with how many challenges, fixes and practices are coded there and the participants and quotes behind its challenges (sub-stages have rows of their own).
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: position, id, stage, parent, track, challenges, fixes, practices, participants, quotes, study
MATCH (s:Stage)
WHERE $study = '' OR s.study = $study
OPTIONAL MATCH (c:Challenge)-[:AT_STAGE]->(s)
WITH s, count(DISTINCT c) AS challenges
OPTIONAL MATCH (f:Fix)-[:AT_STAGE]->(s)
WITH s, challenges, count(DISTINCT f) AS fixes
OPTIONAL MATCH (pr:Practice)-[:AT_STAGE]->(s)
// participants and quotes behind the stage's challenges are stored on the stage by the build
RETURN s.position AS position, s.id AS id, s.name AS stage, s.parent AS parent, s.track AS track,
       challenges, fixes, count(DISTINCT pr) AS practices, s.participants AS participants, s.quotes AS quotes,
       s.study AS study
ORDER BY study, position

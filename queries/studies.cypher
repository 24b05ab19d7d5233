// name: studies
// title: Studies
// description: Every study in the graph (a folder with a study.yaml, or the default study of files in no study folder), with its citation, codebook and how much it holds: interviews, participants, coders (consensus coders included), codes with evidence and the participant turns coded with a challenge.
// returns: study, title, citation, year, codebook, interviews, participants, coders, challenges, fixes, practices, quotes
MATCH (s:Study)
OPTIONAL MATCH (i:Interview)-[:IN_STUDY]->(s)
WITH s, count(i) AS interviews
OPTIONAL MATCH (p:Participant) WHERE p.study = s.id
WITH s, interviews, count(p) AS participants
OPTIONAL MATCH (k:Coder) WHERE k.study = s.id AND NOT k.name STARTS WITH 'auto'
WITH s, interviews, participants, count(k) AS coders
OPTIONAL MATCH (c:Challenge) WHERE c.study = s.id AND c.quotes > 0
WITH s, interviews, participants, coders, count(c) AS challenges
OPTIONAL MATCH (f:Fix) WHERE f.study = s.id AND f.quotes > 0
WITH s, interviews, participants, coders, challenges, count(f) AS fixes
OPTIONAL MATCH (pr:Practice) WHERE pr.study = s.id AND pr.quotes > 0
WITH s, interviews, participants, coders, challenges, fixes, count(pr) AS practices
// quotes: the participant turns a person coded with one of the study's challenges, stored on the study
RETURN s.id AS study, s.title AS title, s.citation AS citation, s.year AS year, s.codebook AS codebook,
       interviews, participants, coders, challenges, fixes, practices, s.quotes AS quotes
ORDER BY study

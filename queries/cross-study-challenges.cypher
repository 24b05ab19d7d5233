// name: cross-study-challenges
// title: Challenges matched across studies
// description: Pairs of challenges of two different studies that an accepted crosswalk row relates (proposed rows never reach the graph), with the SKOS relation read from the first, the row's note, and the participants and quotes behind each in its own study.
// returns: study, challenge, code, relation, other_study, other_challenge, other_code, participants, other_participants, quotes, other_quotes, note
MATCH (a:Challenge)-[m:MATCHES]->(b:Challenge)
RETURN a.study AS study, a.name AS challenge, a.code AS code, m.relation AS relation,
       b.study AS other_study, b.name AS other_challenge, b.code AS other_code,
       a.participants AS participants, b.participants AS other_participants,
       a.quotes AS quotes, b.quotes AS other_quotes, m.note AS note
ORDER BY participants + other_participants DESC, study, challenge

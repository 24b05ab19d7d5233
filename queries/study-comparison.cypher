// name: study-comparison
// title: Studies compared by reference stage
// description: For every stage of the reference taxonomy and every study, the challenges the study coded (by a person) at its stages mapped onto it, the participants who reported them and their quotes, with the mappings' SKOS relations. Participants are counted within a study, never pooled across studies.
// returns: position, reference_stage, stage_id, study, challenges, participants, quotes, relations
MATCH (r:ReferenceStage)<-[m:MAPS_TO]-(s:Stage)<-[:AT_STAGE]-(c:Challenge)
WITH r, s.study AS study, c, m ORDER BY m.relation SKIP 0
WITH r, study, collect(DISTINCT c.id) AS ids, collect(DISTINCT m.relation) AS relations
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[x:CODED_AS]->(c:Challenge)
WHERE c.id IN ids AND NOT x.coder STARTS WITH 'auto'
RETURN r.position AS position, r.name AS reference_stage, r.id AS stage_id, study,
       count(DISTINCT c) AS challenges, count(DISTINCT p) AS participants, count(DISTINCT e) AS quotes, relations
ORDER BY position, study

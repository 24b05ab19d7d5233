// name: study-comparison
// title: Studies compared by reference stage
// description: For every stage of the reference taxonomy and every study, the challenges the study coded (by a person) at its stages mapped onto it, the participants who reported them and their quotes, with the mappings' SKOS relations. Participants are counted within a study, never pooled across studies.
// returns: position, reference_stage, stage_id, study, challenges, participants, quotes, relations
// counted on the coded participant turns first (one pass over them), the mappings' relations joined after
MATCH (e:Excerpt)-[x:CODED_AS]->(c:Challenge)-[:AT_STAGE]->(s:Stage)-[:MAPS_TO]->(r:ReferenceStage)
WHERE NOT x.coder STARTS WITH 'auto'
MATCH (p:Participant)-[:SAID]->(e)
WITH r, s.study AS study, count(DISTINCT c) AS challenges, count(DISTINCT p) AS participants,
     count(DISTINCT e) AS quotes
MATCH (r)<-[m:MAPS_TO]-(s:Stage)<-[:AT_STAGE]-(:Challenge)
WHERE s.study = study
WITH r, study, challenges, participants, quotes, m.relation AS relation ORDER BY relation SKIP 0
WITH r, study, challenges, participants, quotes, collect(DISTINCT relation) AS relations
RETURN r.position AS position, r.name AS reference_stage, r.id AS stage_id, study,
       challenges, participants, quotes, relations
ORDER BY position, study

// name: study-comparison
// title: Studies compared by reference stage
// description: For every stage of the reference taxonomy and every study, the challenges the study coded (by a person) at its stages mapped onto it, the participants who reported them and their quotes, with the mappings' SKOS relations. Participants are counted within a study, never pooled across studies.
// returns: position, reference_stage, stage_id, study, challenges, participants, quotes, relations
// counted by the build (graph/aggregates.py, COVERS); the mappings' relations joined here
MATCH (st:Study)-[v:COVERS]->(r:ReferenceStage)
WITH r, st.id AS study, v.challenges AS challenges, v.participants AS participants, v.quotes AS quotes
MATCH (r)<-[m:MAPS_TO]-(s:Stage)<-[:AT_STAGE]-(:Challenge)
WHERE s.study = study
WITH r, study, challenges, participants, quotes, m.relation AS relation ORDER BY relation SKIP 0
WITH r, study, challenges, participants, quotes, collect(DISTINCT relation) AS relations
RETURN r.position AS position, r.name AS reference_stage, r.id AS stage_id, study,
       challenges, participants, quotes, relations
ORDER BY position, study

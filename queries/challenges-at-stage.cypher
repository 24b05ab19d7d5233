// name: challenges-at-stage
// title: Challenges at a stage
// description: Challenges coded at a workflow stage and its sub-stages, with their study and the participants, interviews and quotes behind each (counted within its study). The stage may be a study's stage (name, id or alias) or a stage of the reference taxonomy by its id (model-training): then the challenges of every study's stages mapped onto it, with the mapping's SKOS relation.
// param: stage ANYSTAGE  A stage's name, id or alias (case-insensitive), e.g. "loss function", or a reference stage's id, e.g. model-training
// param: study STUDY = all  Only this study's challenges (its id or title), or all
// returns: challenge, code, stage, participants, interviews, quotes, mapping, study
MATCH (s:Stage)
WHERE $study = '' OR s.study = $study
OPTIONAL MATCH (s)-[:PART_OF*0..3]->(top:Stage {id: $stage})
OPTIONAL MATCH (s)-[m:MAPS_TO]->(:ReferenceStage {id: $stage})
WITH s, top, m WHERE top IS NOT NULL OR m IS NOT NULL
MATCH (c:Challenge)-[:AT_STAGE]->(s)
// evidence counts are stored on each code by the build; challenge-quotes lists the quotes
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       c.participants AS participants, c.interviews AS interviews, c.quotes AS quotes,
       coalesce(m.relation, '') AS mapping, c.study AS study
ORDER BY participants DESC, quotes DESC, challenge, study

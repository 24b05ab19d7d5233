// name: challenges-at-stage
// title: Challenges at a stage
// description: Challenges coded at a workflow stage and its sub-stages, with the participants, interviews and quotes behind each.
// param: stage STAGE  Stage name, id or alias (case-insensitive), e.g. "loss function"
// returns: challenge, code, stage, participants, interviews, quotes
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (c:Challenge)-[:AT_STAGE]->(s)
// evidence counts are stored on each code by the build; challenge-quotes lists the quotes
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       c.participants AS participants, c.interviews AS interviews, c.quotes AS quotes
ORDER BY participants DESC, quotes DESC, challenge

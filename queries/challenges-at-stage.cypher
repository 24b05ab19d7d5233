// name: challenges-at-stage
// title: Challenges at a stage
// description: Challenges coded at a workflow stage and its sub-stages, with the participants, interviews and quotes behind each.
// param: stage STAGE  Stage name, id or alias (case-insensitive), e.g. "loss function"
// returns: challenge, code, stage, participants, interviews, quotes
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (c:Challenge)-[:AT_STAGE]->(s)
OPTIONAL MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c)
RETURN c.name AS challenge, c.code AS code, s.name AS stage,
       count(DISTINCT p) AS participants, count(DISTINCT e.interview) AS interviews,
       count(DISTINCT e) AS quotes
ORDER BY participants DESC, quotes DESC, challenge

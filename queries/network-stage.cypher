// name: network-stage
// title: Network around a stage
// description: Edges of a stage's neighbourhood: its sub-stages, the challenges at them, the fixes that address those challenges, the participants who reported them and the tools their quotes mention. Weights count quotes.
// param: stage STAGE  Stage name, id or alias
// returns: source, source_kind, source_name, target, target_kind, target_name, relation, weight
MATCH (s:Stage)-[:PART_OF*1..3]->(root:Stage {id: $stage})
RETURN s.id AS source, 'Stage' AS source_kind, s.name AS source_name,
       root.id AS target, 'Stage' AS target_kind, root.name AS target_name, 'PART_OF' AS relation, 1 AS weight
UNION ALL
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (c:Challenge)-[:AT_STAGE]->(s)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       s.id AS target, 'Stage' AS target_kind, s.name AS target_name, 'AT_STAGE' AS relation, 1 AS weight
UNION ALL
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge)-[:AT_STAGE]->(s)
RETURN f.id AS source, 'Fix' AS source_kind, f.name AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'ADDRESSES' AS relation, 1 AS weight
UNION ALL
// REPORTED and MENTIONED_WITH hold counts of quotes stored by the build (graph/aggregates.py)
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (p:Participant)-[r:REPORTED]->(c:Challenge)-[:AT_STAGE]->(s)
RETURN DISTINCT p.id AS source, 'Participant' AS source_kind, p.pseudonym AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'REPORTED' AS relation,
       r.allInterviews AS weight
UNION ALL
MATCH (s:Stage)-[:PART_OF*0..3]->(:Stage {id: $stage})
MATCH (c:Challenge)-[:AT_STAGE]->(s)
MATCH (c)-[m:MENTIONED_WITH]->(t:Tool)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       t.id AS target, 'Tool' AS target_kind, t.name AS target_name, 'MENTIONS' AS relation,
       m.quotes AS weight

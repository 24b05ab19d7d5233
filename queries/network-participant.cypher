// name: network-participant
// title: Network around a participant
// description: Edges of a participant's neighbourhood: every challenge, fix and practice on their quotes with its stage, and the tools they mention. Weights count quotes (rows unordered: the network builder sorts them).
// param: participant PARTICIPANT  Pseudonym or id (case-insensitive)
// returns: source, source_kind, source_name, target, target_kind, target_name, relation, weight
// REPORTED and MENTIONED hold counts of quotes stored by the build (graph/aggregates.py)
MATCH (p:Participant {id: $participant})-[r:REPORTED]->(c)
RETURN DISTINCT p.id AS source, 'Participant' AS source_kind, p.pseudonym AS source_name,
       c.id AS target, c.kind AS target_kind, c.name AS target_name, 'REPORTED' AS relation,
       r.allInterviews AS weight
UNION ALL
MATCH (p:Participant {id: $participant})-[:REPORTED]->(c)-[:AT_STAGE]->(s:Stage)
RETURN DISTINCT c.id AS source, c.kind AS source_kind, c.name AS source_name,
       s.id AS target, 'Stage' AS target_kind, s.name AS target_name, 'AT_STAGE' AS relation, 1 AS weight
UNION ALL
MATCH (p:Participant {id: $participant})-[m:MENTIONED]->(t:Tool)
RETURN p.id AS source, 'Participant' AS source_kind, p.pseudonym AS source_name,
       t.id AS target, 'Tool' AS target_kind, t.name AS target_name, 'MENTIONS' AS relation,
       m.quotes AS weight

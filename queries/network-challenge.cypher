// name: network-challenge
// title: Network around a challenge
// description: Edges of a challenge's neighbourhood: its stage, the fixes that address it, the participants who reported it, the challenges co-occurring with it and the tools its quotes mention. Weights count quotes (rows unordered: the network builder sorts them).
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: source, source_kind, source_name, target, target_kind, target_name, relation, weight
MATCH (c:Challenge {id: $challenge})-[:AT_STAGE]->(s:Stage)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       s.id AS target, 'Stage' AS target_kind, s.name AS target_name, 'AT_STAGE' AS relation, 1 AS weight
UNION ALL
MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge {id: $challenge})
RETURN f.id AS source, 'Fix' AS source_kind, f.name AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'ADDRESSES' AS relation, 1 AS weight
UNION ALL
// REPORTED, CO_OCCURS and MENTIONED_WITH hold counts of quotes stored by the build (graph/aggregates.py)
MATCH (p:Participant)-[r:REPORTED]->(c:Challenge {id: $challenge})
RETURN DISTINCT p.id AS source, 'Participant' AS source_kind, p.pseudonym AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'REPORTED' AS relation,
       r.allInterviews AS weight
UNION ALL
MATCH (c:Challenge {id: $challenge})-[r:CO_OCCURS]->(o:Challenge)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       o.id AS target, 'Challenge' AS target_kind, o.name AS target_name, 'CO_OCCURS' AS relation,
       r.excerpts AS weight
UNION ALL
MATCH (c:Challenge {id: $challenge})-[m:MENTIONED_WITH]->(t:Tool)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       t.id AS target, 'Tool' AS target_kind, t.name AS target_name, 'MENTIONS' AS relation,
       m.quotes AS weight

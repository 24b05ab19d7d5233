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
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c:Challenge {id: $challenge})
RETURN p.id AS source, 'Participant' AS source_kind, p.pseudonym AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'REPORTED' AS relation,
       count(DISTINCT e) AS weight
UNION ALL
MATCH (c:Challenge {id: $challenge})<-[r1:CODED_AS]-(e:Excerpt)-[r2:CODED_AS]->(o:Challenge)
WHERE r1 <> r2 AND o.id <> c.id
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       o.id AS target, 'Challenge' AS target_kind, o.name AS target_name, 'CO_OCCURS' AS relation,
       count(DISTINCT e) AS weight
UNION ALL
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c:Challenge {id: $challenge})
MATCH (e)-[:MENTIONS]->(t:Tool)
RETURN c.id AS source, 'Challenge' AS source_kind, c.name AS source_name,
       t.id AS target, 'Tool' AS target_kind, t.name AS target_name, 'MENTIONS' AS relation,
       count(DISTINCT e) AS weight

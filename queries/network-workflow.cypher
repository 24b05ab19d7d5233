// name: network-workflow
// title: The whole workflow network
// description: Edges of the whole graph's skeleton: stages in order with their sub-stages, every challenge and practice at its stage, and the fixes that address the challenges. Weights count participant quotes of the source node by any coder (allQuotes, stored by the build; rows unordered: the network builder sorts them).
// returns: source, source_kind, source_name, target, target_kind, target_name, relation, weight
MATCH (a:Stage)-[:NEXT]->(b:Stage)
RETURN a.id AS source, 'Stage' AS source_kind, a.name AS source_name,
       b.id AS target, 'Stage' AS target_kind, b.name AS target_name, 'NEXT' AS relation, 1 AS weight
UNION ALL
MATCH (a:Stage)-[:PART_OF]->(b:Stage)
RETURN a.id AS source, 'Stage' AS source_kind, a.name AS source_name,
       b.id AS target, 'Stage' AS target_kind, b.name AS target_name, 'PART_OF' AS relation, 1 AS weight
UNION ALL
MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN c.id AS source, c.kind AS source_kind, c.name AS source_name,
       s.id AS target, 'Stage' AS target_kind, s.name AS target_name, 'AT_STAGE' AS relation,
       c.allQuotes AS weight
UNION ALL
MATCH (f:Fix)-[:ADDRESSES]->(c:Challenge)
RETURN f.id AS source, 'Fix' AS source_kind, f.name AS source_name,
       c.id AS target, 'Challenge' AS target_kind, c.name AS target_name, 'ADDRESSES' AS relation,
       f.allQuotes AS weight

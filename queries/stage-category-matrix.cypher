// name: stage-category-matrix
// title: Stage by category
// description: Challenges per workflow stage and category, with the quotes behind them: the cells of the stage-by-category heat map.
// returns: position, stage, category, challenges, quotes
MATCH (c:Challenge)-[:AT_STAGE]->(s:Stage)
OPTIONAL MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[:CODED_AS]->(c)
RETURN s.position AS position, s.name AS stage, c.category AS category,
       count(DISTINCT c) AS challenges, count(DISTINCT e) AS quotes
ORDER BY position, category

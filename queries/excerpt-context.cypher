// name: excerpt-context
// title: Turns around a quote
// description: A quote with the turns before and after it in its interview, interviewer turns included, so a quote can be read in context.
// param: excerpt STRING  Excerpt id, as challenge-quotes returns it (interview-35:72)
// param: radius INT = 2  How many turns before and after
// returns: turn, line, page, speaker, role, text, focus
// two MATCH clauses: within one pattern Neo4j would not let e be q (relationship uniqueness)
MATCH (q:Excerpt {id: $excerpt})-[:FROM]->(i:Interview)
MATCH (e:Excerpt)-[:FROM]->(i)
WHERE e.position >= q.position - $radius AND e.position <= q.position + $radius
OPTIONAL MATCH (p:Participant)-[:SAID]->(e)
RETURN e.position AS turn, e.line AS line, e.page AS page, coalesce(p.pseudonym, e.speaker) AS speaker, e.role AS role,
       e.text AS text, e.id = q.id AS focus
ORDER BY turn

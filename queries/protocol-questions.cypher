// name: protocol-questions
// title: Protocol questions
// description: The questions of the loaded interview protocols, by section, in the order asked.
// returns: protocol, section, number, depth, question, position
MATCH (q:ProtocolQuestion)-[:ASKED_IN]->(p:Protocol)
RETURN p.title AS protocol, q.section AS section, q.number AS number, q.depth AS depth,
       q.text AS question, q.position AS position
ORDER BY protocol, position

// name: coders
// title: Coders and their interviews
// description: Who coded which interview, and whether the coder is a consensus (moderation) coder.
// returns: coder, consensus, interview, title, turns
MATCH (k:Coder)-[:CODED]->(i:Interview)
RETURN k.name AS coder, k.consensus AS consensus, i.id AS interview, i.title AS title, i.turns AS turns
ORDER BY interview, coder

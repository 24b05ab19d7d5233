// name: coders
// title: Coders and their interviews
// description: Who coded which interview, and whether that file of the coder's is a consensus (moderation) coding; the same person can code some interviews independently and moderate others.
// returns: coder, consensus, interview, title, turns
MATCH (k:Coder)-[r:CODED]->(i:Interview)
RETURN k.name AS coder, r.consensus AS consensus, i.id AS interview, i.title AS title, i.turns AS turns
ORDER BY interview, coder

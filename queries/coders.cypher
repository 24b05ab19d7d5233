// name: coders
// title: Coders and their interviews
// description: Who coded which interview, and whether that file of the coder's is a consensus (moderation) coding; the same person can code some interviews independently and moderate others.
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: coder, consensus, interview, title, turns, study
MATCH (k:Coder)-[r:CODED]->(i:Interview)
WHERE $study = '' OR i.study = $study
RETURN k.name AS coder, r.consensus AS consensus, i.id AS interview, i.title AS title, i.turns AS turns, i.study AS study
ORDER BY interview, coder

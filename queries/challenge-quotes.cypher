// name: challenge-quotes
// title: Quotes behind a challenge
// description: The participant turns coded with a challenge, one row per turn, 50 to a page in interview and turn order: who said it, in which interview and line, and the coders who coded it (sorted). total and participants are the number of such turns and of the participants who said them, on every row of every page (a page past the last has no rows). With the default coders=human these are exactly the quotes that the evidence counts of other queries count.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// param: coders STRING = human  human: leave out suggestions by the machine coders auto and auto-semantic; all: include them
// param: page PAGE = 1  Which page of 50 turns (1-based)
// returns: interview, line, page, turn, speaker, coders, quote, excerpt, total, participants
// the page is chosen on small keys first; the texts of its 50 turns are read afterwards
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $challenge})
WHERE $coders = 'all' OR NOT r.coder IN ['auto', 'auto-semantic']
WITH DISTINCT e.interview AS iid, e.position AS turn, e.id AS excerpt, p.pseudonym AS speaker
ORDER BY iid, turn SKIP $page_skip LIMIT $page_size
MATCH (e:Excerpt {id: excerpt})
MATCH (e)-[r:CODED_AS]->(c:Challenge {id: $challenge})
WHERE $coders = 'all' OR NOT r.coder IN ['auto', 'auto-semantic']
WITH iid, turn, excerpt, speaker, e, c, r.coder AS coder
ORDER BY coder SKIP 0
WITH iid, turn, excerpt, speaker, e, c, collect(coder) AS coders
MATCH (i:Interview {id: iid})
RETURN i.title AS interview, e.line AS line, e.page AS page, turn, speaker, coders, e.text AS quote, excerpt,
       CASE WHEN $coders = 'all' THEN c.allQuotes ELSE c.quotes END AS total,
       CASE WHEN $coders = 'all' THEN c.allParticipants ELSE c.participants END AS participants
ORDER BY iid, turn

// name: challenge-quote-context
// title: Turns around a page of quotes
// description: For each quote of a challenge-quotes page (same challenge, coders and page), the turns before and after it in its interview, interviewer turns included; quote names the excerpt each turn surrounds. One query for a whole page instead of excerpt-context once per quote.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// param: coders STRING = human  human: leave out suggestions by the machine coders auto and auto-semantic; all: include them
// param: page PAGE = 1  Which page of 50 quotes (1-based), as in challenge-quotes
// param: radius INT = 2  How many turns before and after
// returns: quote, turn, line, page, speaker, role, text, focus
MATCH (:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $challenge})
WHERE $coders = 'all' OR NOT r.coder IN ['auto', 'auto-semantic']
WITH DISTINCT e.interview AS iid, e.position AS position, e.id AS quote
ORDER BY iid, position SKIP $page_skip LIMIT $page_size
// from the interview's key: matching the quote's FROM first made LadybugDB hash every excerpt
MATCH (i:Interview {id: iid})
MATCH (i)<-[:FROM]-(x:Excerpt)
WHERE x.position >= position - $radius AND x.position <= position + $radius
OPTIONAL MATCH (w:Participant)-[:SAID]->(x)
RETURN quote, x.position AS turn, x.line AS line, x.page AS page, coalesce(w.pseudonym, x.speaker) AS speaker, x.role AS role,
       x.text AS text, x.id = quote AS focus
ORDER BY iid, position, turn

// name: challenge-quotes
// title: Quotes behind a challenge
// description: Every participant turn coded with a challenge: who said it, in which interview and line, and who coded it. With the default coders=human these are exactly the quotes that the evidence counts of other queries count.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// param: coders STRING = human  human: leave out suggestions by the coder auto; all: include them
// returns: interview, line, turn, speaker, coder, quote, excerpt
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $challenge})
WHERE $coders = 'all' OR r.coder <> 'auto'
MATCH (e)-[:FROM]->(i:Interview)
RETURN i.title AS interview, e.line AS line, e.position AS turn, p.pseudonym AS speaker,
       r.coder AS coder, e.text AS quote, e.id AS excerpt
ORDER BY interview, turn, coder

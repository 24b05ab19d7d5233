// name: challenge-quotes
// title: Quotes behind a challenge
// description: Every participant turn coded with a challenge: who said it, in which interview and line, and who coded it. These are the quotes that the evidence counts of other queries count.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: interview, line, turn, speaker, coder, quote, excerpt
MATCH (p:Participant)-[:SAID]->(e:Excerpt)-[r:CODED_AS]->(:Challenge {id: $challenge})
MATCH (e)-[:FROM]->(i:Interview)
RETURN i.title AS interview, e.line AS line, e.position AS turn, p.pseudonym AS speaker,
       r.coder AS coder, e.text AS quote, e.id AS excerpt
ORDER BY interview, turn, coder

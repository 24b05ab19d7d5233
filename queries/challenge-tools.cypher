// name: challenge-tools
// title: Tools mentioned with a challenge
// description: Tools mentioned in the participant quotes coded with a challenge (by any coder; counts stored by the build, see graph/aggregates.py).
// param: challenge CHALLENGE  Challenge name or code (case-insensitive)
// returns: tool, kind, participants, quotes
MATCH (:Challenge {id: $challenge})-[m:MENTIONED_WITH]->(t:Tool)
RETURN t.name AS tool, t.kind AS kind, m.participants AS participants, m.quotes AS quotes
ORDER BY quotes DESC, tool

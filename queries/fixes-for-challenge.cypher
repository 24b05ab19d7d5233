// name: fixes-for-challenge
// title: Fixes for a challenge
// description: The fixes that address a challenge, with the participants and quotes behind each fix.
// param: challenge CHALLENGE  Challenge name or code (case-insensitive), e.g. "QM-robustness"
// returns: fix, code, participants, quotes
MATCH (f:Fix)-[:ADDRESSES]->(:Challenge {id: $challenge})
RETURN f.name AS fix, f.code AS code, f.participants AS participants, f.quotes AS quotes
ORDER BY participants DESC, quotes DESC, fix

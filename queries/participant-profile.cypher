// name: participant-profile
// title: Participant profile
// description: What one participant reported: every code on their quotes (by any coder), by interview, kind and stage, with the number of quotes (REPORTED counts, stored by the build: graph/aggregates.py).
// param: participant PARTICIPANT  Pseudonym or id (case-insensitive), e.g. "Leader 4"
// returns: participant, interview, kind, name, code, stage, quotes
MATCH (p:Participant {id: $participant})-[r:REPORTED]->(c)
MATCH (i:Interview {id: r.interview})
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN p.pseudonym AS participant, i.title AS interview, c.kind AS kind, c.name AS name,
       c.code AS code, s.name AS stage, r.quotes AS quotes
ORDER BY interview, kind, quotes DESC, name

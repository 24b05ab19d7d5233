// name: participant-profile
// title: Participant profile
// description: What one participant reported: every code on their quotes, by kind and stage, with the number of quotes.
// param: participant PARTICIPANT  Pseudonym or id (case-insensitive), e.g. "Leader 4"
// returns: participant, interview, kind, name, code, stage, quotes
MATCH (i:Interview)<-[:FROM]-(e:Excerpt)<-[:SAID]-(p:Participant {id: $participant}), (e)-[:CODED_AS]->(c)
OPTIONAL MATCH (c)-[:AT_STAGE]->(s:Stage)
RETURN p.pseudonym AS participant, i.title AS interview, c.kind AS kind, c.name AS name,
       c.code AS code, s.name AS stage, count(DISTINCT e) AS quotes
ORDER BY interview, kind, quotes DESC, name

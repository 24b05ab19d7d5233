// name: corpus-summary
// title: Corpus summary
// description: How much the graph holds: interviews, participants, coders, excerpts and codes of each kind.
// returns: interviews, participants, coders, excerpts, coded_excerpts, challenges, fixes, practices, tools, stages
OPTIONAL MATCH (i:Interview) WITH count(i) AS interviews
OPTIONAL MATCH (p:Participant) WITH interviews, count(p) AS participants
OPTIONAL MATCH (k:Coder) WITH interviews, participants, count(k) AS coders
OPTIONAL MATCH (e:Excerpt) WITH interviews, participants, coders, count(e) AS excerpts
OPTIONAL MATCH (ce:Excerpt)-[:CODED_AS]->() WITH interviews, participants, coders, excerpts, count(DISTINCT ce) AS coded_excerpts
OPTIONAL MATCH (c:Challenge) WITH interviews, participants, coders, excerpts, coded_excerpts, count(c) AS challenges
OPTIONAL MATCH (f:Fix) WITH interviews, participants, coders, excerpts, coded_excerpts, challenges, count(f) AS fixes
OPTIONAL MATCH (pr:Practice) WITH interviews, participants, coders, excerpts, coded_excerpts, challenges, fixes, count(pr) AS practices
OPTIONAL MATCH (t:Tool) WITH interviews, participants, coders, excerpts, coded_excerpts, challenges, fixes, practices, count(t) AS tools
OPTIONAL MATCH (s:Stage)
RETURN interviews, participants, coders, excerpts, coded_excerpts, challenges, fixes, practices, tools, count(s) AS stages

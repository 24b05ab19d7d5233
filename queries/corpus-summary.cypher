// name: corpus-summary
// title: Corpus summary
// description: How much the graph holds, one row per item: interviews, participants, coders, excerpts, coded excerpts, challenges, fixes, practices, tools, stages (rows unordered; corpus_summary() in queries/runner.py gives them as a mapping).
// returns: item, count
OPTIONAL MATCH (i:Interview) RETURN 'interviews' AS item, count(i) AS count
UNION ALL OPTIONAL MATCH (p:Participant) RETURN 'participants' AS item, count(p) AS count
UNION ALL OPTIONAL MATCH (k:Coder) RETURN 'coders' AS item, count(k) AS count
UNION ALL OPTIONAL MATCH (e:Excerpt) RETURN 'excerpts' AS item, count(e) AS count
UNION ALL OPTIONAL MATCH (e:Excerpt)-[:CODED_AS]->() RETURN 'coded_excerpts' AS item, count(DISTINCT e) AS count
UNION ALL OPTIONAL MATCH (c:Challenge) RETURN 'challenges' AS item, count(c) AS count
UNION ALL OPTIONAL MATCH (f:Fix) RETURN 'fixes' AS item, count(f) AS count
UNION ALL OPTIONAL MATCH (pr:Practice) RETURN 'practices' AS item, count(pr) AS count
UNION ALL OPTIONAL MATCH (t:Tool) RETURN 'tools' AS item, count(t) AS count
UNION ALL OPTIONAL MATCH (s:Stage) RETURN 'stages' AS item, count(s) AS count

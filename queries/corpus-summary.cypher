// name: corpus-summary
// title: Corpus summary
// description: How much the graph holds, one row per item: interviews, participants, coders, excerpts, coded excerpts, challenges, fixes, practices, tools, stages (counted by the build, graph/aggregates.py; rows unordered; corpus_summary() in queries/runner.py gives them as a mapping).
// returns: item, count
MATCH (x:CorpusCount)
RETURN x.id AS item, x.total AS count

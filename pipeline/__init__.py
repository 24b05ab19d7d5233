"""The load pipeline: reads files, builds the graph, writes a store; kept state and worker processes."""

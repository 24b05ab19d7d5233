"""The graph side of challenge-graph: records, codebook, graph build and stores."""

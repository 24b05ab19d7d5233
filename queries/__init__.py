"""Named Cypher queries, one ``.cypher`` file each, run unchanged on every store (but for a line
marked for one engine, see :mod:`queries.runner`)."""

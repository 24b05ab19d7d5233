"""The example corpus that `challenge-graph demo` loads (package data, read with importlib.resources)."""

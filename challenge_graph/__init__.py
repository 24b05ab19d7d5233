"""challenge-graph: a knowledge graph of ML engineering challenges from coded interviews."""

__version__ = "0.1.0"

"""Benchmarks: a synthetic corpus generator and a runner that prints and records figures."""

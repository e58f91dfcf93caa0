"""Benchmarks of issue 7: `make bench` (see docs/benchmarks.md)."""

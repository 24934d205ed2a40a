"""Benchmark loaders, metrics and evaluation runs."""

"""Retrieval, NLI scoring and aggregation of a claim into a verdict."""

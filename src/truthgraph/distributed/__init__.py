"""Ingestion, verification and evaluation on a Ray cluster (the optional extra ``ray``).

``ray`` is imported lazily, inside the functions that need it: importing this package, or
anything else of TruthGraph, never needs Ray. See ``docs/scale.md``.
"""

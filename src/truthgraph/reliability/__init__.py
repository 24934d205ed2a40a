"""Reliability: fault scenarios on real processes, hostile input, API fuzzing, a soak and the
isolation matrix of API keys; ``truthgraph reliability`` runs them all and writes the report."""

"""The performance guide's scripts/benchmark_embeddings.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.benchmark_embeddings_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import benchmark_embeddings_main

if __name__ == "__main__":
    benchmark_embeddings_main()

"""The performance guide's scripts/benchmark_vector_search.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.benchmark_vector_search_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import benchmark_vector_search_main

if __name__ == "__main__":
    benchmark_vector_search_main()

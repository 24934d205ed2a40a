"""The performance guide's scripts/benchmark_nli.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.benchmark_nli_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import benchmark_nli_main

if __name__ == "__main__":
    benchmark_nli_main()

"""The performance guide's scripts/optimize_batch_sizes.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.optimize_batch_sizes_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import optimize_batch_sizes_main

if __name__ == "__main__":
    optimize_batch_sizes_main()

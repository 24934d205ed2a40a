"""The performance guide's scripts/test_e2e_performance.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.e2e_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import e2e_main

if __name__ == "__main__":
    e2e_main()

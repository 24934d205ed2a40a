"""Web page and PDF ingestion rates (sentences/s) and extraction quality (run with --help for
its flags; docs/sources.md describes the output).

A thin face over truthgraph.cli.bench_tools.benchmark_sources_main
(also reachable as `truthgraph bench sources`).
"""

from truthgraph.cli.bench_tools import benchmark_sources_main

if __name__ == "__main__":
    benchmark_sources_main()

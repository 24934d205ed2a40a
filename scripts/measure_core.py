"""Measure the core engine's headline figures on this machine and print them as JSON.

A thin face over truthgraph.cli.bench_tools.measure_core_main (the measuring code is
truthgraph.bench.core and truthgraph.bench.coldstart): cold start of a fresh process, RSS,
ingestion rate, and claim-to-verdict latency through the database at top-10, caches off.

    python scripts/measure_core.py [--corpus FILE.jsonl] [--claims FILE.jsonl] [--repeat 3]
        [--max-claims 100] [--scifact-dir DATA --scifact-docs 1000] [--output FILE.json]
"""

from truthgraph.cli.bench_tools import measure_core_main

if __name__ == "__main__":
    measure_core_main()

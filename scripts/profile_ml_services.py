"""The performance guide's scripts/profile_ml_services.py (run with --help for its flags).

A thin face over truthgraph.cli.bench_tools.profile_ml_services_main
(also reachable as `truthgraph bench`).
"""

from truthgraph.cli.bench_tools import profile_ml_services_main

if __name__ == "__main__":
    profile_ml_services_main()

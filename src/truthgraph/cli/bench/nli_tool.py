"""``truthgraph bench nli``: the NLI verifier's throughput on real pairs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.bench.texts import DEFAULT_CLAIMS, DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="NLI verifier throughput on real pairs.")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument("--repeats", type=int, default=3)
    common.output_flag(parser, "nli.json")
    args = parser.parse_args(argv)
    common.quiet()
    from truthgraph.bench.texts import sample_pairs
    from truthgraph.bench.throughput import benchmark_nli
    from truthgraph.wiring import build_nli

    settings = settings or Settings()
    result = benchmark_nli(
        build_nli(settings),
        sample_pairs(args.pairs, args.corpus, args.claims),
        args.batch_size,
        args.repeats,
    )
    result["backend"] = settings.model.backend
    common.table(
        f"NLI {result['model']} on {machine_line(describe_machine())}",
        ["pairs", "batch", "pairs/s", "single pair ms", "RSS MB"],
        [
            (
                result["num_pairs"],
                result["batch_size"],
                result["pairs_per_s"],
                result["single_pair_ms_median"],
                result["rss_mb"],
            )
        ],
    )
    common.write_json(result, args.output or common.default_output(settings, "nli.json"))
    return result

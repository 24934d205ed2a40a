"""``truthgraph bench batch-sizes``: the throughput-optimal batch size, measured and saved."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Find the throughput-optimal batch size.")
    parser.add_argument("--service", choices=["embedding", "nli", "all"], default="all")
    parser.add_argument("--min-batch", type=int, default=4)
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--memory-limit", type=float, default=4000.0, help="MB of RSS")
    parser.add_argument("--num-samples", type=int, default=512)
    parser.add_argument("--no-save", action="store_true", help="do not save the result")
    common.output_flag(parser, "batch_sizes.json")
    args = parser.parse_args(argv)
    common.quiet()
    from truthgraph.bench.batch_size_search import optimize_batch_sizes
    from truthgraph.wiring import build_embedder, build_nli

    settings = settings or Settings()
    report = optimize_batch_sizes(
        settings,
        lambda: build_embedder(settings),
        lambda: build_nli(settings),
        args.service,
        args.min_batch,
        args.max_batch,
        args.memory_limit,
        args.num_samples,
        save=not args.no_save,
    )
    for name, svc in report["services"].items():
        common.table(
            f"{name} batch sizes ({report['device']})",
            ["batch", "per s", "RSS MB", "within limit"],
            [
                (r["batch_size"], r["throughput_per_s"], r["rss_mb"], r["within_memory_limit"])
                for r in svc["results"]
            ],
        )
        common.console.print(
            f"{name}: optimal batch size {svc['optimal']['batch_size']}"
            + (f", saved to {svc['saved_to']}" if svc["saved_to"] else "")
        )
    common.write_json(report, args.output or common.default_output(settings, "batch_sizes.json"))
    return report

"""``truthgraph bench profile``: cProfile the ML services, stage by stage."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import machine_line
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="cProfile the ML services.")
    parser.add_argument("--service", choices=["embedding", "nli", "all"], default="all")
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="folder for the reports (default: TRUTHGRAPH_HOME/profiling)",
    )
    args = parser.parse_args(argv)
    common.quiet()
    from truthgraph.bench.profiling import profile_ml_services
    from truthgraph.wiring import build_embedder, build_nli, warm_models

    settings = settings or Settings()
    output_dir = args.output_dir or settings.home / "profiling"
    report = profile_ml_services(
        lambda: build_embedder(settings),
        lambda: build_nli(settings),
        lambda: warm_models(settings),
        args.service,
        args.num_samples,
        output_dir,
    )
    common.table(
        f"profile ({args.num_samples} samples) on {machine_line(report['machine'])}",
        ["service", "stage", "seconds", "RSS after MB", "top self-time function"],
        [
            (name, stage, s["seconds"], s["rss_after_mb"], s["top_self_time_function"][:60])
            for name, svc in report["services"].items()
            for stage, s in svc["stages"].items()
        ],
    )
    for name, svc in report["services"].items():
        common.console.print(f"{name}: {svc['throughput_per_s']} {svc['unit']} ({svc['model']})")
    common.console.print(
        f"bottleneck: {report['bottleneck']['stage']} ({report['bottleneck']['seconds']} s)"
    )
    for advice in report["recommendations"]:
        common.console.print(f"- {advice}")
    common.console.print(f"[dim]wrote {output_dir}/profiling_report.json and .prof/.txt files[/]")
    return report

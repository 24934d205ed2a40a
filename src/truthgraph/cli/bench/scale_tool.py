"""``truthgraph bench scale``: one process against Ray, and the sizing table (SCALE.md)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from truthgraph.cli.bench import common
from truthgraph.data.files import atomic_write
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> Path:
    """``truthgraph bench scale``: one process against Ray (1 and 2 workers) for ingestion and
    batch verification, Ray's overhead per item, and the sizing table; writes SCALE.md."""
    parser = argparse.ArgumentParser(
        prog="truthgraph bench scale",
        description="Ingestion and verification, one process vs Ray; the sizing on paper.",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/SCALE.md"))
    parser.add_argument("--copies", type=int, default=5, help="copies of the demo corpus")
    parser.add_argument("--claims", type=int, default=48, help="claims verified per run")
    parser.add_argument(
        "--hnsw-sizes", type=common.ints, default=[2000, 8000], help="rows of the two HNSW builds"
    )
    args = parser.parse_args(argv)
    if len(args.hnsw_sizes) != 2 or args.copies < 1 or args.claims < 1:
        parser.error("--hnsw-sizes takes two sizes; --copies and --claims at least 1")
    common.quiet()
    from truthgraph.cli.bench.scale_bench import render_scale, run_scale_benchmark
    from truthgraph.distributed.ray_setup import import_ray

    import_ray()
    settings = settings or Settings()
    figures = run_scale_benchmark(
        settings,
        copies=args.copies,
        claims_count=args.claims,
        hnsw_sizes=tuple(args.hnsw_sizes),
        progress=lambda stage: common.console.print(f"[dim]measuring {stage}[/]"),
    )
    command = "truthgraph bench scale " + " ".join(argv or [])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out, render_scale(figures, command.strip()))
    for title, runs in (("Ingestion", figures["ingest"]), ("Verification", figures["verify"])):
        base = runs[0].rate
        common.table(
            f"{title}: one process vs Ray",
            ["run", "items/s", "ratio", "first batch s"],
            [(r.name, f"{r.rate:.1f}", f"{r.rate / base:.2f}", f"{r.first_s:.1f}") for r in runs],
        )
    common.console.print(f"[dim]wrote {args.out}[/]")
    return Path(args.out)

"""``truthgraph bench coldstart``: the first start on a fresh home, then warm cold starts."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The first start on a fresh home, then warm cold starts on the configured one."""
    import tempfile

    from truthgraph.bench.coldstart import cold_start

    settings = settings or Settings()
    parser = argparse.ArgumentParser(
        description="Cold start: import TruthGraph, load and warm both models in a new process, "
        "on fresh empty homes (the first start after installing) and on the configured home."
    )
    parser.add_argument("--repeat", type=int, default=3, help="processes to take the median of")
    common.output_flag(parser, "coldstart.json")
    args = parser.parse_args(argv)
    common.quiet()
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.home) as tmp:
        first = cold_start(Path(tmp), args.repeat, fresh=True)
    warm = cold_start(settings.home, args.repeat)
    result: dict[str, Any] = {"fresh_home": first, "warm": warm, "machine": describe_machine()}
    common.table(
        "Cold start: import, load and warm both models in a new process (median)",
        ["home", "seconds", "runs", "embedding load ms", "NLI load ms", "RSS MB", "exported"],
        [
            (
                label,
                r["cold_start_s_median"],
                " ".join(str(s) for s in r["cold_start_runs_s"]),
                r["model_load_ms_median"]["embedding"],
                r["model_load_ms_median"]["nli"],
                r["rss_mb_median"],
                "yes" if r["exported"] else "no",
            )
            for label, r in (("fresh (nothing cached)", first), ("configured", warm))
        ],
    )
    common.console.print(f"machine: {machine_line(result['machine'])}")
    common.write_json(result, args.output or common.default_output(settings, "coldstart.json"))
    return result

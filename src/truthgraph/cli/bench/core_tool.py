"""``truthgraph bench core``: the core engine's headline figures in a fresh, temporary home."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.texts import DEFAULT_CLAIMS, DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The core engine's headline figures in a fresh, temporary TRUTHGRAPH_HOME: cold start
    (median of fresh processes), ingestion rate, claim-to-verdict latency at top-10 with caches
    off, RSS. Prints them as JSON (and writes them with --output)."""
    import tempfile

    from truthgraph.bench.coldstart import cold_start
    from truthgraph.bench.core import measure_core, scifact_documents

    parser = argparse.ArgumentParser(description="The core engine's headline figures.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument("--repeat", type=int, default=3, help="cold starts to take the median of")
    parser.add_argument("--max-claims", type=int, default=100)
    parser.add_argument(
        "--scifact-dir",
        type=Path,
        default=None,
        help="measure ingestion on the first --scifact-docs SciFact abstracts instead",
    )
    parser.add_argument("--scifact-docs", type=int, default=1000)
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    common.quiet()
    settings = settings or Settings()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = settings.model_copy(update={"home": Path(tmp)})
        starts = cold_start(fresh.home, args.repeat)
        load_parts, verifier_for = common.measured_parts(fresh)  # caches off
        extra = (
            scifact_documents(args.scifact_dir, args.scifact_docs)
            if args.scifact_dir is not None
            else None
        )
        result = measure_core(
            load_parts,
            verifier_for,
            fresh.retrieval,
            args.corpus,
            args.claims,
            args.max_claims,
            extra,
        )
    result["cold_start"] = starts
    sys.stdout.write(json.dumps(result, indent=2) + "\n")  # plain JSON, to redirect to a file
    if args.output is not None:
        common.write_json(result, args.output)
    return result

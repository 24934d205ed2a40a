"""``truthgraph bench e2e``: claim-to-verdict timing through the database, caches off."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.bench.texts import DEFAULT_CLAIMS, DEFAULT_CORPUS
from truthgraph.cli.bench import common
from truthgraph.settings import Settings


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="End-to-end claim-to-verdict performance.")
    parser.add_argument("--num-claims", type=int, default=5)
    parser.add_argument("--evidence-count", type=int, default=10)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--warmup",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="verify one untimed claim first (default: on)",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    common.output_flag(parser, "e2e.json")
    args = parser.parse_args(argv)
    common.quiet()
    from truthgraph.bench.e2e import run_e2e

    settings = settings or Settings()
    load_parts, verifier_for = common.measured_parts(settings)  # caches off
    result = run_e2e(
        load_parts,
        verifier_for,
        settings.retrieval,
        args.num_claims,
        args.evidence_count,
        args.warmup,
        args.corpus,
        args.claims,
    )
    result["caches"] = False
    p50_s = result["latency_ms"]["p50"] / 1000
    verdict = "PASS" if result["passed_design_target"] else "FAIL"
    ours = {True: "PASS", False: "FAIL", None: f"not judged at top-{args.evidence_count}"}
    common.console.print(
        f"End-to-end performance: {p50_s:.3f}s p50 per claim, caches off ({verdict} "
        f"<{result['target_s']:.0f}s design target; ours <{result['our_target_p50_ms']:.0f} ms "
        f"at top-{result['our_target_top_k']}: {ours[result['passed_our_target']]})"
    )
    claims = max(1, result["num_claims"])
    for stage, part in result["breakdown"].items():
        common.console.print(
            f"  {common.STAGE_NAMES[stage]}: {part['total_ms'] / claims:.1f} ms"
            f" per claim ({part['share']:.1%})"
        )
    if result["models"].get("second"):
        common.console.print(
            f"  second opinion ({result['models']['second']}): "
            f"{result['second_opinion_share']:.0%} of the claims read again"
        )
    if args.verbose:
        common.console.print(
            f"  latency p50/p95/p99: {result['latency_ms']['p50']:.1f} / "
            f"{result['latency_ms']['p95']:.1f} / {result['latency_ms']['p99']:.1f} ms over "
            f"{result['num_claims']} claims, {result['evidence_count']} evidence each; "
            f"models loaded in {result['model_load_s']} s"
        )
    common.write_json(result, args.output or common.default_output(settings, "e2e.json"))
    return result

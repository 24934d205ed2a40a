"""Fit the fast verifier's second opinion on the development split; write second-opinion.json.

    python scripts/fit_second_opinion.py --data-dir ../shared/data
        [--datasets fever,scifact,fever-symmetric,fm2] [--first truthgraph-verifier-minilm]
        [--second truthgraph-verifier-mpnet] [--max-share 0.4]
        [--out-dir runs/second-opinion] [--reuse] [--dry-run]

Runs ``truthgraph eval --split dev`` on each dataset with calibration and the second opinion
off, once with each verifier (the same retrieval, so the same evidence), or reads those runs
back with ``--reuse``. For each threshold, fits the second verifier's calibration on the
claims it reads again there, and prints the share of claims read again ("asked"), the share
whose verdict the second verifier gives (the more confident of the two: "given") and the
accuracy per dataset; chooses the best
accuracy over all claims among the thresholds that read again at most ``--max-share`` of them:
the claim-to-verdict median stays the fast verifier's while under half of the claims are read
again. Writes ``second-opinion.json`` into the first verifier's folder when the choice beats
the first verifier alone by 0.5 points with no dataset lower (the shipping rule), unless
``--dry-run``, and the model card's section on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from truthgraph.errors import TruthGraphError
from truthgraph.evaluation.accuracy_tables import run_eval
from truthgraph.evaluation.calibration_runs import Row, read_predictions
from truthgraph.evaluation.second_opinion_threshold import Trial, choose, passes, trial
from truthgraph.measures.revision import git_sha
from truthgraph.ml.nli.card import refresh_second_opinion
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.verify.calibration import read_calibration
from truthgraph.verify.second_opinion import SecondOpinionRecord, write_second_opinion

ROOT = Path(__file__).resolve().parent.parent
OFF = {
    "TRUTHGRAPH_VERIFICATION__CALIBRATION": "false",
    "TRUTHGRAPH_VERIFICATION__SECOND_OPINION": "off",
}


def _rows(model: str, datasets: list[str], args: argparse.Namespace) -> tuple[list[Row], set[str]]:
    """The uncalibrated dev predictions of ``model`` on each dataset, and its backends."""
    rows: list[Row] = []
    backends: set[str] = set()
    for dataset in datasets:
        out = args.out_dir / Path(model).name / dataset
        if not (args.reuse and (out / "predictions.jsonl").is_file()):
            run_eval(
                dataset, args.data_dir, out, split="dev", extra=["--nli-model", model], env=OFF
            )
        rows.extend(read_predictions(dataset, out))
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        backends.add(str(report["config"].get("nli_backend")))
    return rows, backends


def _line(t: Trial, names: list[str]) -> str:
    cells = "  ".join(f"{100 * t.accuracy[n]:5.1f}" for n in [*names, "all"])
    return f"{t.below:>6.2f}  {t.share:5.2f}  {t.adopted:5.2f}  {cells}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--datasets", default="fever,scifact,fever-symmetric,fm2")
    parser.add_argument("--first", default="truthgraph-verifier-minilm")
    parser.add_argument("--second", default="truthgraph-verifier-mpnet")
    parser.add_argument("--max-share", type=float, default=0.4)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "runs" / "second-opinion")
    parser.add_argument("--reuse", action="store_true", help="read earlier runs in --out-dir")
    parser.add_argument("--dry-run", action="store_true", help="fit and print, write nothing")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also print the variants at the chosen threshold (which verdict is given, which "
        "claims the second calibration is fitted on)",
    )
    args = parser.parse_args()
    settings = Settings()
    folder = resolve_model(args.first, settings.models_dir).path
    if folder is None:
        sys.exit(f"{args.first}: the record is written into a local model folder")
    names = [d.strip() for d in args.datasets.split(",") if d.strip()]
    try:
        first, first_backends = _rows(args.first, names, args)
        second, second_backends = _rows(args.second, names, args)
    except TruthGraphError as exc:
        sys.exit(f"error: {exc}")
    first_calibration = read_calibration(folder)
    trials, chosen = choose(first, second, first_calibration, args.max_share)
    alone = trial(first, second, first_calibration, 0.0)
    always = trial(first, second, first_calibration, 1.01)
    print(f"{'below':>6}  asked  given  " + "  ".join(f"{n[:5]:>5}" for n in [*names, "all"]))
    print(_line(alone, names) + "   (first verifier alone)")
    for t in trials:
        print(_line(t, names) + ("   <- chosen" if t is chosen else ""))
    print(_line(always, names) + "   (every claim with evidence read again)")
    if chosen is None:
        sys.exit(f"no threshold reads again at most {args.max_share:.0%} of the claims")
    if args.compare:
        print(f"variants at below {chosen.below}:")
        for rule in ("confident", "replace"):
            for fit_on in ("asked", "all"):
                variant = trial(first, second, first_calibration, chosen.below, rule, fit_on)
                verdict = "passes" if passes(variant, alone) else "fails"
                print(_line(variant, names) + f"   given: {rule}, fitted on: {fit_on} ({verdict})")
    ships = passes(chosen, alone)
    print(f"chosen below {chosen.below}: {'passes' if ships else 'fails'} the shipping rule")
    if args.dry_run or not ships:
        return

    def figures(t: Trial) -> dict[str, object]:
        return {
            "below": t.below,
            "share": round(t.share, 4),
            "shares": t.shares,
            "accuracy": t.accuracy,
        }

    how = {
        "fitted_on": "development split (truthgraph eval --split dev), calibration off",
        "datasets": names,
        "first_backend": sorted(first_backends),
        "second_backend": sorted(second_backends),
        "max_share": args.max_share,
        "alone": alone.figures(),
        "chosen": chosen.figures(),
        "trials": [t.figures() for t in trials],
        "always": always.figures(),
        "git_sha": git_sha() or None,
        "command": "python scripts/fit_second_opinion.py " + " ".join(sys.argv[1:]),
    }
    record = SecondOpinionRecord(args.second, chosen.below, chosen.calibration)
    print(f"wrote {write_second_opinion(folder, record, how)}")
    print(f"updated {refresh_second_opinion(folder)} (the model card's second-opinion section)")


if __name__ == "__main__":
    main()

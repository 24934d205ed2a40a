"""Fit the verifier's calibration on the development split and write its calibration.json.

    python scripts/calibrate_verifier.py --data-dir ../shared/data [--nli-model DIR]
        [--datasets fever,scifact,fever-symmetric,fm2] [--fit-only fm2]
        [--out-dir runs/calibration] [--reuse] [--dry-run]

Runs ``truthgraph eval --split dev`` (claims kept out of the verifier's training and out of
the held-out split) on each dataset with calibration turned off, fits a class bias (best
accuracy over all their claims) and a temperature (least negative log-likelihood),
prints the figures before and after, and writes ``calibration.json`` into the verifier's
folder (the configured verifier, or --nli-model). ``--fit-only D`` adds the ``fit`` split of
dataset D to the data the calibration is fitted on (not to the figures of the dev claims):
FM2's, where every claim is SUPPORTED or REFUTED, teaches it where NOT_ENOUGH_INFO is wrong.
``--reuse`` reads the predictions of an earlier run in --out-dir instead of running again.
Per dataset it prints accuracy, ECE, the share of NOT_ENOUGH_INFO verdicts (abstain) and the
accuracy of the verdicts given with confidence >= 0.8, before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from truthgraph.errors import TruthGraphError
from truthgraph.evaluation.accuracy_tables import run_eval
from truthgraph.evaluation.calibration_runs import Row, figures_with, fit, read_predictions
from truthgraph.measures.revision import git_sha
from truthgraph.ml.registry import adapter_source, resolve_model
from truthgraph.settings import Settings
from truthgraph.verify.calibration import read_calibration, write_calibration

ROOT = Path(__file__).resolve().parent.parent


PREVIOUS = frozenset({"fever", "scifact", "fever-symmetric"})  # the dev claims of round one


def _names(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


def _share(figures: dict[str, object]) -> str:
    """``right/n`` of the verdicts given with confidence >= 0.8."""
    accuracy, n = figures["confident_accuracy"], figures["confident_n"]
    return "n/a" if accuracy is None else f"{accuracy:.3f} of {n}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--nli-model", default=None, help="verifier folder (default: configured)")
    parser.add_argument("--datasets", default="fever,scifact,fever-symmetric")
    parser.add_argument("--fit-only", default="", help="datasets whose fit split joins the fit")
    parser.add_argument("--reuse", action="store_true", help="read earlier runs in --out-dir")
    parser.add_argument(
        "--abstention", action="store_true", help="also fit the abstention slope (similarity)"
    )
    parser.add_argument(
        "--nei-temperature",
        action="store_true",
        help="a temperature of its own for NOT_ENOUGH_INFO verdicts",
    )
    parser.add_argument(
        "--fit-only-confidence",
        action="store_true",
        help="the --fit-only rows shape the temperatures only, not the bias (no label changes)",
    )
    parser.add_argument(
        "--shipped",
        action="store_true",
        help="fit nothing: the figures with the verifier's calibration.json (a dry run)",
    )
    parser.add_argument("--out-dir", type=Path, default=ROOT / "runs" / "calibration")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--dry-run", action="store_true", help="fit and print, write nothing")
    args = parser.parse_args()
    settings = Settings()
    model_name = args.nli_model or settings.model.nli_model
    model = resolve_model(model_name, settings.models_dir)
    if model.path is None:
        sys.exit(f"{model.location}: calibration is written into a local model folder")
    extra = ["--nli-model", model_name]  # as users name it: the same backend record applies
    rows: list[Row] = []
    fit_only: list[Row] = []
    # the calibration belongs to the backend and evidence context it was fitted with
    backends: set[str] = set()
    contexts: set[str] = set()
    runs = [(d, "dev") for d in _names(args.datasets)] + [(d, "fit") for d in _names(args.fit_only)]
    try:
        for dataset, split in runs:
            out = args.out_dir / (dataset if split == "dev" else f"{dataset}-fit")
            if not (args.reuse and (out / "predictions.jsonl").is_file()):
                run_eval(
                    dataset,
                    args.data_dir,
                    out,
                    args.limit,
                    split=split,
                    extra=extra,
                    env={
                        "TRUTHGRAPH_VERIFICATION__CALIBRATION": "false",
                        "TRUTHGRAPH_VERIFICATION__SECOND_OPINION": "off",
                    },
                )
            (rows if split == "dev" else fit_only).extend(read_predictions(dataset, out))
            report = json.loads((out / "report.json").read_text())
            backends.add(str(report["config"].get("nli_backend")))
            contexts.add(str(report["config"].get("evidence_context")))
    except TruthGraphError as exc:
        sys.exit(f"error: {exc}")
    groups = {"fever+scifact+symmetric": PREVIOUS} if {r[0] for r in rows} - PREVIOUS else None
    if args.shipped:
        calibration = read_calibration(adapter_source(model_name) or model.path)
        figures = figures_with(calibration, rows, fit_only, groups)
        args.dry_run = True
    else:
        calibration, figures = fit(
            rows,
            fit_only,
            groups,
            args.abstention,
            args.nei_temperature,
            labels_from_fit_only=not args.fit_only_confidence,
        )
    print(
        f"bias {dict((k.value, v) for k, v in calibration.bias.items())}, "
        f"temperature {calibration.temperature}, NEI temperature {calibration.nei_temperature}, "
        f"similarity slope {calibration.similarity_slope}"
    )
    print(
        f"{'dataset':<24}{'n':>6}  accuracy before -> after  ECE before -> after"
        "  abstain before -> after  right at conf>=0.8 before -> after"
    )
    for name, f in figures.items():
        b, a = f["before"], f["after"]
        print(
            f"{name:<24}{b['n']:>6}  {b['accuracy']:.3f} -> {a['accuracy']:.3f}"
            f"            {b['ece']:.3f} -> {a['ece']:.3f}"
            f"       {b['abstain']:.3f} -> {a['abstain']:.3f}"
            f"         {_share(b)} -> {_share(a)}"
        )
    if args.dry_run:
        return
    sha = git_sha()
    record = {
        "fitted_on": "development split (truthgraph eval --split dev), calibration off",
        "datasets": sorted({r[0] for r in rows}),
        "fit_only": sorted({f"{r[0]} (fit split)" for r in fit_only}),
        "nli_backend": sorted(backends),
        "evidence_context": sorted(contexts),
        "figures": figures,
        "git_sha": sha or None,
        "command": "python scripts/calibrate_verifier.py " + " ".join(sys.argv[1:]),
    }
    # an adapter's calibration ships with the adapter, not in its merged cache
    path = write_calibration(adapter_source(model_name) or model.path, calibration, record)
    print(f"wrote {path}")
    print(
        json.dumps(
            {
                "temperature": calibration.temperature,
                "bias": {k.value: v for k, v in calibration.bias.items()},
                "similarity_slope": calibration.similarity_slope,
                "nei_temperature": calibration.nei_temperature,
            }
        )
    )


if __name__ == "__main__":
    main()

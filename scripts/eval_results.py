"""Accuracy of the configured verifier on the development datasets, for the docs.

Runs ``truthgraph eval --dataset D --data-dir DATA`` on the held-out split, in each dataset's
default mode, one after another (SciFact: retrieval over its 5,183 abstracts; FEVER:
retrieval over the pooled gold evidence; FM2: retrieval over its pages' sentences;
FEVER-Symmetric and VitaminC: oracle), writes each
report into OUT/accuracy/<dataset>/, the table into OUT/ACCURACY.md, and the same table into
docs/accuracy.md between ``<!-- accuracy-table:start -->`` and ``<!-- accuracy-table:end -->``.

    python scripts/eval_results.py --data-dir ../shared/data [--limit N] [--out-dir benchmarks]
        [--datasets scifact,fever,fever-symmetric,vitaminc,fm2]
        [--readme docs/accuracy.md | --no-readme]
        [--nli-model truthgraph-verifier-mpnet] [--second-opinion off]

The first run ingests SciFact's 45,952 sentences (minutes); later runs reuse the collection.
Environment variables (TRUTHGRAPH_HOME, TRUTHGRAPH_MODEL__*) pass through to each run.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truthgraph.errors import TruthGraphError
from truthgraph.evaluation.convert import DATASETS
from truthgraph.evaluation.report import summary as report_summary
from truthgraph.evaluation.results import accuracy_table, replace_section, run_eval

ROOT = Path(__file__).resolve().parent.parent


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def render(reports: list[dict[str, Any]], command: str, limit: int | None, out: Path) -> str:
    """The body of ACCURACY.md and of the docs page's section."""
    lines = [
        accuracy_table(reports),
        f"Produced by `{command}` on {datetime.now(UTC).date().isoformat()} "
        f"(git {reports[0]['config']['git_sha']}); never edited by hand. "
        "Held-out split: claims no verifier is trained on. Strict: label right "
        "and, for SUPPORTED/REFUTED, a gold sentence among the 5 cited; evidence recall@k: a "
        "gold sentence among the k retrieved (retrieval mode only); ECE: expected calibration "
        "error of the verdict's confidence, 10 bins; p50: latency per claim. Each dataset's "
        "full report (per-class figures, confusion matrix, reliability diagram, predictions) "
        f"is in `{_shown(out / 'accuracy')}/<dataset>/`.",
    ]
    if limit is not None:
        lines.append(
            f"\n**Trial run: only the first {limit} claims of each dataset (`--limit`); "
            "these are not accuracy figures.**"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="first N claims per dataset")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "benchmarks")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument(
        "--readme",
        type=Path,
        default=ROOT / "docs" / "accuracy.md",
        help="the page whose accuracy table is replaced (the README held it once)",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave that page alone")
    parser.add_argument("--nli-model", default=None, help="verifier (default: configured)")
    parser.add_argument(
        "--second-opinion",
        choices=("auto", "off"),
        default=None,
        help="off: the verifier alone, even where its second opinion is installed "
        "(default: as configured)",
    )
    args = parser.parse_args()
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        sys.exit(f"unknown datasets: {', '.join(unknown)}; use {', '.join(DATASETS)}")
    readme = None if args.no_readme else args.readme
    if readme is not None:  # fail before hours of work, not after
        replace_section(readme.read_text(encoding="utf-8"), "")
    command = "python scripts/eval_results.py --data-dir " + str(args.data_dir)
    if args.limit is not None:
        command += f" --limit {args.limit}"
    if args.out_dir.resolve() != (ROOT / "benchmarks").resolve():
        command += f" --out-dir {_shown(args.out_dir)}"
    extra = ["--nli-model", args.nli_model] if args.nli_model else []
    if args.nli_model:
        command += f" --nli-model {args.nli_model}"
    if args.no_readme:
        command += " --no-readme"
    env = {}
    if args.second_opinion:
        command += f" --second-opinion {args.second_opinion}"
        env["TRUTHGRAPH_VERIFICATION__SECOND_OPINION"] = args.second_opinion
    try:
        reports = [
            run_eval(
                d, args.data_dir, args.out_dir / "accuracy" / d, args.limit, extra=extra, env=env
            )
            for d in datasets
        ]
    except TruthGraphError as exc:
        sys.exit(f"error: {exc}")
    for report in reports:
        print(json.dumps(report_summary(report)))
    body = render(reports, command, args.limit, args.out_dir)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "ACCURACY.md").write_text(
        "# Accuracy on the development datasets\n\n" + body, encoding="utf-8"
    )
    print(f"wrote {args.out_dir / 'ACCURACY.md'}")
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        readme.write_text(replace_section(text, body), encoding="utf-8")
        print(f"updated the accuracy table in {readme}")


if __name__ == "__main__":
    main()

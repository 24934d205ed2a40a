"""Accuracy of the configured verifier on the development datasets, for the docs.

Runs ``truthgraph eval --dataset D --data-dir DATA`` on the held-out split, in each dataset's
default mode, one after another (SciFact: retrieval over its 5,183 abstracts; FEVER:
retrieval over the pooled gold evidence; FM2: retrieval over its pages' sentences;
FEVER-Symmetric and VitaminC: oracle), then (unless --no-kinds) ``truthgraph eval --dataset
kinds`` (the hand-written kinds set shipped in the package), then (unless --no-check)
``truthgraph eval-check --dataset wice`` and ``--dataset grounding`` (checking whole texts,
their dev splits). Writes each report into OUT/accuracy/<dataset>/ (the kinds set's into
OUT/accuracy/kinds/, the checks' into OUT/check/<set>/), the tables into OUT/ACCURACY.md, and
the same tables into docs/accuracy.md between ``<!-- accuracy-table:start -->`` and
``<!-- accuracy-table:end -->``, ``<!-- kinds-table:start -->`` and ``:end -->``,
``<!-- check-table:start -->`` and ``:end -->`` (ACCURACY.md carries the same markers; a
section a run skips with --no-kinds or --no-check keeps the earlier run's text in both).

    python scripts/eval_results.py --data-dir ../shared/data [--limit N] [--out-dir benchmarks]
        [--datasets scifact,fever,fever-symmetric,vitaminc,fm2]
        [--kinds | --no-kinds] [--check | --no-check]
        [--readme docs/accuracy.md | --no-readme]
        [--nli-model truthgraph-verifier-mpnet] [--second-opinion off]

The first run ingests SciFact's 45,952 sentences (minutes); later runs reuse the collection.
Environment variables (TRUTHGRAPH_HOME, TRUTHGRAPH_MODEL__*) pass through to each run;
--nli-model reaches eval-check as TRUTHGRAPH_MODEL__NLI_MODEL. Each run also writes its
predictions.jsonl; those are not committed (.gitignore): this command regenerates them.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truthgraph.errors import TruthGraphError
from truthgraph.evaluation.accuracy_tables import (
    CHECK_END,
    CHECK_START,
    END,
    KINDS_END,
    KINDS_START,
    START,
    accuracy_table,
    check_section,
    kinds_section,
    replace_section,
    run_check_eval,
    run_eval,
    run_kinds_eval,
    section_body,
)
from truthgraph.evaluation.convert import DATASETS
from truthgraph.evaluation.report_files import summary as report_summary

ROOT = Path(__file__).resolve().parent.parent
CHECK_SETS = ("wice", "grounding")


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def produced(command: str, git_sha: str) -> str:
    """``Produced by `COMMAND` on DATE (git SHA); never edited by hand`` (no full stop)."""
    return (
        f"Produced by `{command}` on {datetime.now(UTC).date().isoformat()} "
        f"(git {git_sha}); never edited by hand"
    )


def render(reports: list[dict[str, Any]], command: str, limit: int | None, out: Path) -> str:
    """The body of ACCURACY.md's first table and of the docs page's accuracy section."""
    lines = [
        accuracy_table(reports),
        produced(command, reports[0]["config"]["git_sha"]) + ". "
        "Held-out split: claims no verifier is trained on. Strict: label right "
        "and, for SUPPORTED/REFUTED, a gold sentence among the 5 cited; evidence recall@k: a "
        "gold sentence among the k retrieved (retrieval mode only); ECE: expected calibration "
        "error of the verdict's confidence, 10 bins; p50: latency per claim. Each dataset's "
        "full report (per-class figures, confusion matrix, reliability diagram) "
        f"is in `{_shown(out / 'accuracy')}/<dataset>/`; the run writes its predictions "
        "there too, which are not committed.",
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
        "--kinds",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the hand-written kinds set too (default: yes)",
    )
    parser.add_argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="check whole texts too: eval-check on wice and grounding (default: yes)",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=ROOT / "docs" / "accuracy.md",
        help="the page whose accuracy tables are replaced (the README held it once)",
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
    if not datasets:
        sys.exit(f"no datasets: use some of {', '.join(DATASETS)}")
    readme = None if args.no_readme else args.readme
    if readme is not None:  # fail before hours of work, not after
        text = readme.read_text(encoding="utf-8")
        replace_section(text, "")
        if args.kinds:
            replace_section(text, "", KINDS_START, KINDS_END)
        if args.check:
            replace_section(text, "", CHECK_START, CHECK_END)
    command = "python scripts/eval_results.py --data-dir " + str(args.data_dir)
    if args.limit is not None:
        command += f" --limit {args.limit}"
    if args.out_dir.resolve() != (ROOT / "benchmarks").resolve():
        command += f" --out-dir {_shown(args.out_dir)}"
    if args.datasets != ",".join(DATASETS):
        command += f" --datasets {','.join(datasets)}"
    if not args.kinds:
        command += " --no-kinds"
    if not args.check:
        command += " --no-check"
    extra = ["--nli-model", args.nli_model] if args.nli_model else []
    if args.nli_model:
        command += f" --nli-model {args.nli_model}"
    if args.no_readme:
        command += " --no-readme"
    env = {}
    if args.second_opinion:
        command += f" --second-opinion {args.second_opinion}"
        env["TRUTHGRAPH_VERIFICATION__SECOND_OPINION"] = args.second_opinion
    check_env = {**env, "TRUTHGRAPH_MODEL__NLI_MODEL": args.nli_model} if args.nli_model else env
    accuracy, check = args.out_dir / "accuracy", args.out_dir / "check"
    try:
        reports = [
            run_eval(d, args.data_dir, accuracy / d, args.limit, extra=extra, env=env)
            for d in datasets
        ]
        kinds = (
            run_kinds_eval(accuracy / "kinds", args.limit, extra=extra, env=env)
            if args.kinds
            else None
        )
        checks = (
            [
                run_check_eval(s, args.data_dir, check / s, args.limit, env=check_env)
                for s in CHECK_SETS
            ]
            if args.check
            else []
        )
    except TruthGraphError as exc:
        sys.exit(f"error: {exc}")
    for report in [*reports, *([kinds] if kinds else [])]:
        print(json.dumps(report_summary(report)))
    for report in checks:
        keys = ("dataset", "labels", "n", "accuracy", "macro_f1", "balanced_accuracy_mean")
        print(json.dumps({key: report.get(key) for key in keys}))
    sha = reports[0]["config"]["git_sha"]
    body = render(reports, command, args.limit, args.out_dir)
    kinds_body = (
        kinds_section(kinds, produced(command, sha), _shown(accuracy / "kinds"), args.limit)
        if kinds is not None
        else None
    )
    check_body = (
        check_section(checks, produced(command, sha), _shown(check), args.limit) if checks else None
    )
    target = args.out_dir / "ACCURACY.md"
    earlier = target.read_text(encoding="utf-8") if target.is_file() else ""
    page = f"# Accuracy on the development datasets\n\n{START}\n{body}{END}\n"
    sections = [(START, END, body)]
    for title, start, end, fresh in (
        ("The kinds set (hand-written, held out)", KINDS_START, KINDS_END, kinds_body),
        ("Checking whole texts (dev splits)", CHECK_START, CHECK_END, check_body),
    ):
        if fresh is not None:
            sections.append((start, end, fresh))
        # a section this run skipped (--no-kinds, --no-check) keeps its earlier run's text
        shown = fresh if fresh is not None else section_body(earlier, start, end)
        if shown is not None:
            page += f"\n## {title}\n\n{start}\n{shown}{end}\n"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    print(f"wrote {target}")
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        for start, end, section in sections:
            text = replace_section(text, section, start, end)
        readme.write_text(text, encoding="utf-8")
        print(f"updated the accuracy tables in {readme}")


if __name__ == "__main__":
    main()

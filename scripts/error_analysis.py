"""Group the wrong verdicts of ``truthgraph eval --dataset D --split dev`` runs by cause.

    python scripts/error_analysis.py --data-dir ../shared/data fever=runs/r2/base/fever \\
        fm2=runs/r2/base/fm2 [--split dev]

Each ``NAME=FOLDER`` is a dataset and the report folder of its run (``predictions.jsonl``);
the rule (retrieval miss, multi-hop, number/date, negation, NEI boundary, other; first match
wins) is in ``truthgraph.evaluation.error_analysis``. Prints one table row per dataset and the kinds
of mistake; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from truthgraph.evaluation.convert import convert
from truthgraph.evaluation.error_analysis import CAUSES, error_causes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("runs", nargs="+", help="DATASET=FOLDER")
    args = parser.parse_args()
    results = {}
    print("| dataset | claims | wrong | " + " | ".join(CAUSES) + " |")
    print("|---|---|---|" + "---|" * len(CAUSES))
    for spec in args.runs:
        name, folder = spec.split("=", 1)
        claims = convert(name, args.data_dir, args.split).claims
        lines = (Path(folder) / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
        result = error_causes(claims, [json.loads(line) for line in lines])
        results[name] = result
        cells = [str(result["causes"][c]) for c in CAUSES]
        print(f"| {name} | {result['n']} | {result['wrong']} | " + " | ".join(cells) + " |")
    for name, result in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(result["mistakes"].items())))
    print(json.dumps(results))


if __name__ == "__main__":
    main()

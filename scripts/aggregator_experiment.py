"""Would a learned aggregator beat the weighted vote? Cross-validated on dev predictions.

Reads the predictions that ``scripts/compare_verifiers.sh`` writes for one verifier (the
``dev`` claims of FEVER, SciFact and FEVER-Symmetric, calibration off) and fits a multinomial
logistic regression from per-claim features of the cited evidence to the gold label, scored
by 5-fold cross-validation over the pooled claims, against the shipped weighted vote on the
same predictions. Two feature sets:

- ``nli``: the weighted vote's class distribution and the largest entailment, largest
  contradiction and smallest neutral probability among the cited sentences;
- ``nli+retrieval``: those, the same three for the most similar sentence, the largest and
  mean retrieval similarity, and how many sentences are entailing or contradicting (> 0.5),
  each also as its logarithm.

    python scripts/aggregator_experiment.py runs/devcmp/mpl-title runs/devcmp/dst-title
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

LABELS = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
DATASETS = ("fever", "scifact", "fever-symmetric")


def features(row: dict[str, Any], retrieval: bool) -> list[float]:
    cited = row["cited"]
    distribution = [float(row["scores"][label]) for label in LABELS]
    if not cited:
        return distribution + [0.0] * (3 if not retrieval else 11)
    e = np.array([c["nli"]["entailment"] for c in cited])
    n = np.array([c["nli"]["neutral"] for c in cited])
    k = np.array([c["nli"]["contradiction"] for c in cited])
    out = distribution + [float(e.max()), float(k.max()), float(n.min())]
    if retrieval:
        s = np.array([c["similarity"] for c in cited])
        top = int(np.argmax(s))
        out += [float(e[top]), float(k[top]), float(n[top]), float(s.max()), float(s.mean())]
        out += [float((e > 0.5).sum()), float((k > 0.5).sum())]
    return out


def load(run: Path, retrieval: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = [
        (dataset, json.loads(line))
        for dataset in DATASETS
        for line in (run / dataset / "predictions.jsonl").read_text().splitlines()
    ]
    x = np.array([features(row, retrieval) for _, row in rows])
    if retrieval:
        x = np.hstack([x, np.log(np.clip(x, 1e-4, None))])
    gold = np.array([LABELS.index(row["gold"]) for _, row in rows])
    shipped = np.array([LABELS.index(row["predicted"]) for _, row in rows])
    return x, gold, shipped, np.array([dataset for dataset, _ in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("runs", type=Path, nargs="+", help="compare_verifiers.sh output folders")
    args = parser.parse_args()
    for run in args.runs:
        for retrieval in (False, True):
            x, gold, shipped, datasets = load(run, retrieval)
            for c in (0.1, 1.0, 10.0):
                predicted = np.zeros_like(gold)
                folds = StratifiedKFold(5, shuffle=True, random_state=0).split(x, gold)
                for train, test in folds:
                    model = LogisticRegression(C=c, max_iter=3000).fit(x[train], gold[train])
                    predicted[test] = model.predict(x[test])
                per_dataset = {
                    d: f"{(predicted[datasets == d] == gold[datasets == d]).mean():.1%} "
                    f"(vote {(shipped[datasets == d] == gold[datasets == d]).mean():.1%})"
                    for d in DATASETS
                }
                print(
                    json.dumps(
                        {
                            "run": str(run),
                            "features": "nli+retrieval" if retrieval else "nli",
                            "C": c,
                            "learned": f"{(predicted == gold).mean():.1%}",
                            "weighted_vote": f"{(shipped == gold).mean():.1%}",
                            "n": int(len(gold)),
                            **per_dataset,
                        }
                    )
                )


if __name__ == "__main__":
    main()

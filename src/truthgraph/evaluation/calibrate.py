"""Fit the verifier's calibration (class bias and temperature) on development-split runs.

Reads the ``predictions.jsonl`` of ``truthgraph eval`` runs made with calibration turned off,
fits ``verify.calibration`` on them and measures what it changes, per dataset.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from truthgraph.domain import Label
from truthgraph.metrics import classification_report, expected_calibration_error
from truthgraph.verify.calibration import (
    Calibration,
    fit_bias,
    fit_temperature,
    negative_log_likelihood,
    scale,
)

Row = tuple[str, dict[Label, float], Label]  # dataset, per-class scores, gold label


def read_predictions(dataset: str, folder: Path) -> list[Row]:
    """(dataset, scores, gold) of every prediction of one ``truthgraph eval`` output folder."""
    rows: list[Row] = []
    with (folder / "predictions.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            scores = {Label(k): float(v) for k, v in item["scores"].items()}
            rows.append((dataset, scores, Label(item["gold"])))
    return rows


def _figures(rows: Sequence[Row], calibration: Calibration) -> dict[str, Any]:
    scaled = [scale(scores, calibration) for _, scores, _ in rows]
    predicted = [max(s, key=lambda k: s[k]) for s in scaled]
    gold = [g for _, _, g in rows]
    report = classification_report(gold, predicted)
    return {
        "n": len(rows),
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "ece": round(
            expected_calibration_error(
                [s[p] for s, p in zip(scaled, predicted, strict=True)],
                [p is g for p, g in zip(predicted, gold, strict=True)],
            ),
            4,
        ),
        "nll": round(negative_log_likelihood([r[1] for r in rows], gold, calibration), 4),
    }


def fit(rows: Sequence[Row]) -> tuple[Calibration, dict[str, Any]]:
    """The fitted calibration and, per dataset and overall, the figures before and after."""
    distributions = [scores for _, scores, _ in rows]
    gold = [g for _, _, g in rows]
    bias = fit_bias(distributions, gold)
    calibration = Calibration(fit_temperature(distributions, gold, bias), bias)
    datasets = sorted({d for d, _, _ in rows})
    figures = {
        name: {
            "before": _figures(subset, Calibration()),
            "after": _figures(subset, calibration),
        }
        for name in [*datasets, "all"]
        if (subset := [r for r in rows if name in ("all", r[0])])
    }
    return calibration, figures

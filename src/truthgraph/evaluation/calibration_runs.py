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
from truthgraph.evaluation.calibration_fit import (
    fit_abstention,
    fit_bias,
    fit_temperature,
    negative_log_likelihood,
)
from truthgraph.measures.metrics import classification_report, expected_calibration_error
from truthgraph.verify.calibration import Calibration, scale

# dataset, per-class scores, gold label, best retrieval similarity of the sentences read
Row = tuple[str, dict[Label, float], Label, float | None]
CONFIDENT = 0.8  # "high confidence": the verdicts at or above it should be right that often


def read_predictions(dataset: str, folder: Path) -> list[Row]:
    """(dataset, scores, gold, best similarity) of every prediction of one ``truthgraph eval``
    output folder (the best similarity among its cited sentences; None without any)."""
    rows: list[Row] = []
    with (folder / "predictions.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            scores = {Label(k): float(v) for k, v in item["scores"].items()}
            cited = [float(c["similarity"]) for c in item.get("cited") or []]
            rows.append((dataset, scores, Label(item["gold"]), max(cited) if cited else None))
    return rows


def _figures(rows: Sequence[Row], calibration: Calibration) -> dict[str, Any]:
    scaled = [scale(scores, calibration, best) for _, scores, _, best in rows]
    predicted = [max(s, key=lambda k: s[k]) for s in scaled]
    gold = [r[2] for r in rows]
    report = classification_report(gold, predicted)
    confidences = [s[p] for s, p in zip(scaled, predicted, strict=True)]
    confident = [
        p is g for c, p, g in zip(confidences, predicted, gold, strict=True) if c >= CONFIDENT
    ]
    return {
        "n": len(rows),
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "abstain": round(sum(p is Label.NOT_ENOUGH_INFO for p in predicted) / len(rows), 4),
        "confident_n": len(confident),
        "confident_accuracy": round(sum(confident) / len(confident), 4) if confident else None,
        "ece": round(
            expected_calibration_error(
                [s[p] for s, p in zip(scaled, predicted, strict=True)],
                [p is g for p, g in zip(predicted, gold, strict=True)],
            ),
            4,
        ),
        "nll": round(
            negative_log_likelihood([r[1] for r in rows], gold, calibration, [r[3] for r in rows]),
            4,
        ),
    }


def fit(
    rows: Sequence[Row],
    fit_only: Sequence[Row] = (),
    groups: dict[str, frozenset[str]] | None = None,
    abstention: bool = False,
    nei_temperature: bool = False,
    labels_from_fit_only: bool = True,
) -> tuple[Calibration, dict[str, Any]]:
    """The calibration fitted on ``rows`` and ``fit_only`` together and, before and after it,
    the figures of each dataset of ``rows``, of ``all`` of them, of each named group of
    datasets in ``groups``, and of each ``fit_only`` dataset (named ``<dataset> (fit)``).

    ``fit_only`` rows teach the fit where the verifier is wrong (e.g. FM2's ``fit`` split)
    without being measured as development claims. ``abstention`` also fits the abstention
    slope (``verify.calibration``), for accuracy, with the bias. ``nei_temperature`` fits a
    temperature of its own for the verdicts labelled NOT_ENOUGH_INFO. Without
    ``labels_from_fit_only`` the bias (and slope), which decide the labels, are fitted on
    ``rows`` alone and the ``fit_only`` rows shape only the temperatures (the confidence).
    """
    fitted_on = [*rows, *fit_only]
    distributions = [r[1] for r in fitted_on]
    gold = [r[2] for r in fitted_on]
    best = [r[3] for r in fitted_on]
    labelled = fitted_on if labels_from_fit_only else list(rows)
    slope = 0.0
    if abstention:
        bias, slope = fit_abstention(
            [r[1] for r in labelled], [r[2] for r in labelled], [r[3] for r in labelled]
        )
    else:
        bias = fit_bias([r[1] for r in labelled], [r[2] for r in labelled])
    temperature = fit_temperature(
        distributions, gold, bias, similarity_slope=slope, similarities=best
    )
    nei = 0.0
    if nei_temperature:
        nei = fit_temperature(
            distributions,
            gold,
            bias,
            similarity_slope=slope,
            similarities=best,
            temperature=temperature,
        )
    calibration = Calibration(temperature, bias, slope, nei)
    return calibration, figures_with(calibration, rows, fit_only, groups)


def figures_with(
    calibration: Calibration,
    rows: Sequence[Row],
    fit_only: Sequence[Row] = (),
    groups: dict[str, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """The figures of ``fit`` (per dataset, all, groups, fit-only sets) before and after a
    given calibration."""
    sets: dict[str, list[Row]] = {
        d: [r for r in rows if r[0] == d] for d in sorted({r[0] for r in rows})
    }
    sets["all"] = list(rows)
    for name, members in (groups or {}).items():
        sets[name] = [r for r in rows if r[0] in members]
    for name in sorted({r[0] for r in fit_only}):
        sets[f"{name} (fit)"] = [r for r in fit_only if r[0] == name]
    return {
        name: {"before": _figures(subset, Calibration()), "after": _figures(subset, calibration)}
        for name, subset in sets.items()
        if subset
    }

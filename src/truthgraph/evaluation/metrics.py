"""Classification metrics over verdict labels. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from truthgraph.domain import Label


def confusion(gold: Sequence[Label], predicted: Sequence[Label]) -> dict[str, dict[str, int]]:
    """``matrix[gold][predicted]`` counts for every label pair."""
    matrix = {g.value: {p.value: 0 for p in Label} for g in Label}
    for g, p in zip(gold, predicted, strict=True):
        matrix[g.value][p.value] += 1
    return matrix


def classification_report(gold: Sequence[Label], predicted: Sequence[Label]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the labels present in ``gold``, per-class P/R/F1, confusion."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    per_class: dict[str, dict[str, float]] = {}
    for label in Label:
        tp = sum(g is label and p is label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g is not label and p is label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g is label and p is not label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label.value] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": float(tp + fn),
        }
    present = [v["f1"] for v in per_class.values() if v["support"] > 0]
    correct = sum(g is p for g, p in zip(gold, predicted, strict=True))
    return {
        "n": len(gold),
        "accuracy": correct / len(gold) if gold else 0.0,
        "macro_f1": sum(present) / len(present) if present else 0.0,
        "per_class": per_class,
        "confusion": confusion(gold, predicted),
    }

"""Metrics over verdicts: classification, evidence retrieval, strict score, calibration.

Pure functions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
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


# evidence ----------------------------------------------------------------------------------

MIN_MATCH_CHARS = 20


def normalise_evidence(text: str) -> str:
    """Text as it is compared with gold evidence: Unicode NFKC, case-folded, white space
    collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def evidence_matches(found: str, gold: str) -> bool:
    """Whether a retrieved (or cited) sentence is gold evidence: the same text once normalised,
    or one text containing the other where the contained one has at least ``MIN_MATCH_CHARS``
    characters (a gold passage of several sentences holds each of them; a corpus chunk longer
    than a sentence holds the gold sentence).

    >>> evidence_matches("Paris is the capital of France.", "paris is the  capital of France.")
    True
    """
    a, b = normalise_evidence(found), normalise_evidence(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= MIN_MATCH_CHARS and shorter in longer


def gold_found(texts: Sequence[str], gold: Sequence[str]) -> bool:
    """Whether any of ``texts`` is one of the ``gold`` evidence texts (see evidence_matches)."""
    return any(evidence_matches(t, g) for t in texts for g in gold)


def evidence_recall(
    retrieved: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> float | None:
    """Share of the claims with gold evidence that have a gold text among their retrieved ones.

    With the top ``k`` retrieved sentences per claim this is evidence recall@k. Claims without
    gold evidence do not count; None when no claim has any.
    """
    if len(retrieved) != len(gold):
        raise ValueError("retrieved and gold must have the same length")
    judged = [gold_found(r, g) for r, g in zip(retrieved, gold, strict=True) if g]
    return sum(judged) / len(judged) if judged else None


def strict_accuracy(
    gold: Sequence[Label],
    predicted: Sequence[Label],
    cited: Sequence[Sequence[str]],
    gold_evidence: Sequence[Sequence[str]],
) -> tuple[float | None, int]:
    """The FEVER-style strict score and the number of claims it is computed over.

    A claim scores when its label is right and, for a SUPPORTED or REFUTED claim, a gold
    evidence text is among the cited ones (a NOT_ENOUGH_INFO claim needs the label only).
    SUPPORTED and REFUTED claims without gold evidence cannot be judged and do not count;
    the score is None when no SUPPORTED or REFUTED claim has gold evidence.
    """
    if not len(gold) == len(predicted) == len(cited) == len(gold_evidence):
        raise ValueError("gold, predicted, cited and gold_evidence must have the same length")
    rows = list(zip(gold, predicted, cited, gold_evidence, strict=True))
    judged = [(g, p, c, e) for g, p, c, e in rows if g is Label.NOT_ENOUGH_INFO or e]
    if not any(g is not Label.NOT_ENOUGH_INFO for g, _, _, _ in judged):
        return None, 0
    scored = sum(
        g is p and (g is Label.NOT_ENOUGH_INFO or gold_found(c, e)) for g, p, c, e in judged
    )
    return scored / len(judged), len(judged)


# calibration -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """One bin of a reliability diagram: confidences in ``[lower, upper)``."""

    lower: float
    upper: float
    count: int
    confidence: float | None  # mean confidence in the bin; None when it is empty
    accuracy: float | None  # share of right predictions in the bin; None when it is empty

    def as_dict(self) -> dict[str, Any]:
        return {
            "lower": self.lower,
            "upper": self.upper,
            "count": self.count,
            "confidence": self.confidence,
            "accuracy": self.accuracy,
        }


def reliability_bins(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[CalibrationBin]:
    """Equal-width confidence bins over [0, 1] with the mean confidence and the accuracy of
    the predictions in each.

    Bin ``i`` holds confidences in ``[i / bins, (i + 1) / bins)``; 1.0 falls in the last.
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct must have the same length")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    members: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, right in zip(confidences, correct, strict=True):
        value = min(1.0, max(0.0, confidence))
        members[min(int(value * bins), bins - 1)].append((value, right))
    return [
        CalibrationBin(
            lower=index / bins,
            upper=(index + 1) / bins,
            count=len(items),
            confidence=sum(c for c, _ in items) / len(items) if items else None,
            accuracy=sum(r for _, r in items) / len(items) if items else None,
        )
        for index, items in enumerate(members)
    ]


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """ECE: the count-weighted mean gap between accuracy and confidence over equal-width bins,
    ``sum_b n_b / N * |accuracy_b - confidence_b|`` (0 for no predictions)."""
    total = len(confidences)
    return float(
        sum(
            b.count / total * abs(b.accuracy - b.confidence)
            for b in reliability_bins(confidences, correct, bins)
            if b.accuracy is not None and b.confidence is not None
        )
    )

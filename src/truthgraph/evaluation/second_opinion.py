"""Choose the second opinion's threshold from two verifiers' development-split predictions.

Reads what ``truthgraph eval --split dev`` wrote with calibration off for the first (fast)
and the second (accurate) verifier on the same claims and evidence, fits the second
verifier's calibration for its role, and measures, for each threshold, the share of claims
read again and the accuracy per dataset (``verify.second_opinion``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truthgraph.domain import Label
from truthgraph.evaluation.calibrate import Row, fit
from truthgraph.verify.calibration import Calibration, scale

THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.50 ... 0.95


@dataclass(frozen=True, slots=True)
class Trial:
    """One threshold's figures: the share of claims read again, accuracy per dataset."""

    below: float
    share: float  # of all claims
    accuracy: dict[str, float]  # per dataset and "all"
    shares: dict[str, float]  # per dataset


def cascade_labels(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    second_calibration: Calibration,
    below: float,
) -> tuple[list[Label], list[bool]]:
    """The label of each claim under the second opinion at ``below`` (from the two verifiers'
    uncalibrated predictions on the same claims, in the same order), and whether the second
    verifier gave it. A claim without evidence (no best similarity) keeps the first label,
    as in ``Judge.reconsider``."""
    if len(first) != len(second):
        raise ValueError("the two verifiers' predictions are not of the same claims")
    labels: list[Label] = []
    escalated: list[bool] = []
    for a, b in zip(first, second, strict=True):
        if a[0] != b[0] or a[2] is not b[2]:
            raise ValueError("the two verifiers' predictions are not of the same claims")
        scores = scale(a[1], first_calibration, a[3])
        again = a[3] is not None and max(scores.values()) < below
        if again:
            scores = scale(b[1], second_calibration, b[3])
        labels.append(max(scores, key=lambda k: scores[k]))
        escalated.append(again)
    return labels, escalated


def trial(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    second_calibration: Calibration,
    below: float,
) -> Trial:
    """The figures of the second opinion at ``below`` (1.0 reads every claim again, a
    threshold of 0 none)."""
    labels, escalated = cascade_labels(first, second, first_calibration, second_calibration, below)
    accuracy: dict[str, float] = {}
    shares: dict[str, float] = {}
    for name in [*sorted({r[0] for r in first}), "all"]:
        index = [i for i, r in enumerate(first) if name in ("all", r[0])]
        accuracy[name] = sum(labels[i] is first[i][2] for i in index) / len(index)
        shares[name] = sum(escalated[i] for i in index) / len(index)
    return Trial(below, shares["all"], accuracy, shares)


def choose(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    max_share: float,
    thresholds: Sequence[float] = THRESHOLDS,
) -> tuple[Calibration, list[Trial], Trial | None]:
    """The second verifier's calibration (fitted on its predictions of every claim, with
    abstention and a NOT_ENOUGH_INFO temperature, as ``scripts/calibrate_verifier.py``), the
    trial of every threshold, and the chosen one: the best accuracy over all claims among the
    thresholds that read again at most ``max_share`` of them (the lower threshold on a tie;
    None when none does)."""
    second_calibration, _ = fit(second, abstention=True, nei_temperature=True)
    trials = [trial(first, second, first_calibration, second_calibration, t) for t in thresholds]
    allowed = [t for t in trials if t.share <= max_share]
    best = max(allowed, key=lambda t: (t.accuracy["all"], -t.below), default=None)
    return second_calibration, trials, best


def passes(candidate: Trial, baseline: Trial, margin: float = 0.005) -> bool:
    """The shipping rule: at least ``margin`` better over all claims, no dataset lower."""
    if candidate.accuracy["all"] < baseline.accuracy["all"] + margin:
        return False
    return all(candidate.accuracy[d] >= baseline.accuracy[d] for d in baseline.accuracy)

"""Choose the second opinion's threshold from two verifiers' development-split predictions.

Reads what ``truthgraph eval --split dev`` wrote with calibration off for the first (fast)
and the second (accurate) verifier on the same claims and evidence. For each threshold it
fits the second verifier's calibration on the claims that threshold sends to it (the claims
it will be asked about) and measures the share of claims read again, the share whose
verdict the second verifier gives, and the accuracy per dataset (``verify.second_opinion``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from truthgraph.domain import Label
from truthgraph.evaluation.calibration_runs import Row, fit
from truthgraph.verify.calibration import Calibration, scale
from truthgraph.verify.second_opinion import prefer_second, unsure

THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.50 ... 0.95
# which verdict of a claim read again is given: the more confident (shipped), or always the
# second verifier's (the variant measured against it, decision 0028)
Rule = Literal["confident", "replace"]
# the claims the second verifier's calibration is fitted on: those it reads (shipped), or all
FitOn = Literal["asked", "all"]


@dataclass(frozen=True, slots=True)
class Trial:
    """One threshold: the second verifier's calibration for it, the share of claims read
    again and of claims whose verdict it gives, and the accuracy per dataset and "all"."""

    below: float
    calibration: Calibration
    share: float
    adopted: float
    accuracy: dict[str, float]
    shares: dict[str, float]

    def figures(self) -> dict[str, object]:
        """The JSON form kept in second-opinion.json."""
        return {
            "below": self.below,
            "share": round(self.share, 4),
            "adopted": round(self.adopted, 4),
            "shares": {k: round(v, 4) for k, v in self.shares.items()},
            "accuracy": {k: round(v, 4) for k, v in self.accuracy.items()},
        }


def _same_claims(first: Sequence[Row], second: Sequence[Row]) -> None:
    if len(first) != len(second) or any(
        a[0] != b[0] or a[2] is not b[2] for a, b in zip(first, second, strict=True)
    ):
        raise ValueError("the two verifiers' predictions are not of the same claims")


def asked(first: Sequence[Row], first_calibration: Calibration, below: float) -> list[bool]:
    """Whether each claim is read again at ``below``: its first verdict's calibrated
    confidence is under it and it has evidence (a best similarity), as ``Judge.reconsider``."""
    confidences = [max(scale(row[1], first_calibration, row[3]).values()) for row in first]
    again = set(unsure(confidences, [row[3] is not None for row in first], below))
    return [i in again for i in range(len(first))]


def cascade_labels(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    second_calibration: Calibration,
    below: float,
    rule: Rule = "confident",
) -> tuple[list[Label], list[bool], list[bool]]:
    """Each claim's label under the second opinion at ``below`` (from the two verifiers'
    uncalibrated predictions on the same claims, in the same order), whether it was read
    again, and whether the second verifier's verdict was given (the more confident one, or
    always with ``rule="replace"``)."""
    _same_claims(first, second)
    labels: list[Label] = []
    adopted: list[bool] = []
    again = asked(first, first_calibration, below)
    for a, b, ask in zip(first, second, again, strict=True):
        scores = scale(a[1], first_calibration, a[3])
        if ask:
            other = scale(b[1], second_calibration, b[3])
            if rule == "replace" or prefer_second(max(scores.values()), max(other.values())):
                scores = other
                adopted.append(True)
            else:
                adopted.append(False)
        else:
            adopted.append(False)
        labels.append(max(scores, key=lambda k: scores[k]))
    return labels, again, adopted


def trial(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    below: float,
    rule: Rule = "confident",
    fit_on: FitOn = "asked",
) -> Trial:
    """The figures of the second opinion at ``below`` (above 1 reads every claim with evidence
    again, 0 none), its calibration fitted on the claims read again (``fit_on="all"``: on
    every claim) with abstention and a NOT_ENOUGH_INFO temperature, as
    ``scripts/calibrate_verifier.py`` fits them."""
    _same_claims(first, second)
    again = asked(first, first_calibration, below)
    rows = [b for b, ask in zip(second, again, strict=True) if ask or fit_on == "all"]
    calibration = fit(rows, abstention=True, nei_temperature=True)[0] if rows else Calibration()
    labels, again, adopted = cascade_labels(
        first, second, first_calibration, calibration, below, rule
    )
    accuracy: dict[str, float] = {}
    shares: dict[str, float] = {}
    for name in [*sorted({r[0] for r in first}), "all"]:
        index = [i for i, r in enumerate(first) if name in ("all", r[0])]
        accuracy[name] = sum(labels[i] is first[i][2] for i in index) / len(index)
        shares[name] = sum(again[i] for i in index) / len(index)
    return Trial(below, calibration, shares["all"], sum(adopted) / len(first), accuracy, shares)


def choose(
    first: Sequence[Row],
    second: Sequence[Row],
    first_calibration: Calibration,
    max_share: float,
    thresholds: Sequence[float] = THRESHOLDS,
) -> tuple[list[Trial], Trial | None]:
    """The trial of every threshold, and the chosen one: the best accuracy over all claims
    among the thresholds that read again at most ``max_share`` of them (the lower threshold
    on a tie; None when none does)."""
    trials = [trial(first, second, first_calibration, t) for t in thresholds]
    allowed = [t for t in trials if t.share <= max_share]
    best = max(allowed, key=lambda t: (t.accuracy["all"], -t.below), default=None)
    return trials, best


def passes(candidate: Trial, baseline: Trial, margin: float = 0.005) -> bool:
    """The shipping rule: at least ``margin`` better over all claims, no dataset lower."""
    if candidate.accuracy["all"] < baseline.accuracy["all"] + margin:
        return False
    return all(candidate.accuracy[d] >= baseline.accuracy[d] for d in baseline.accuracy)

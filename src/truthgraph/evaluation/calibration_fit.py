"""Fitting a calibration (see ``verify.calibration``, which applies one): the class bias and
abstention slope for the best accuracy, the temperature for the least negative log-likelihood,
on development claims."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from truthgraph.domain import Label
from truthgraph.verify.calibration import (
    FLOOR,
    LABELS,
    NEI,
    Calibration,
    abstention,
    calibrated,
    log_scores,
)


def _matrix(distributions: Sequence[Mapping[Label, float]]) -> np.ndarray:
    return np.array([log_scores(d) for d in distributions]).reshape(-1, len(LABELS))


def _gold_index(gold: Sequence[Label]) -> np.ndarray:
    return np.array([LABELS.index(g) for g in gold], dtype=int)


def _similarities(values: Sequence[float | None] | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def negative_log_likelihood(
    distributions: Sequence[Mapping[Label, float]],
    gold: Sequence[Label],
    calibration: Calibration,
    similarities: Sequence[float | None] | None = None,
) -> float:
    """Mean NLL of the gold labels under the calibrated distributions."""
    if not distributions:
        return 0.0
    best = _similarities(similarities, len(distributions))
    probabilities = calibrated(_matrix(distributions), calibration, best)
    picked = probabilities[np.arange(len(gold)), _gold_index(gold)]
    return float(-np.log(np.clip(picked, FLOOR, None)).mean())


def fit_abstention(
    distributions: Sequence[Mapping[Label, float]],
    gold: Sequence[Label],
    similarities: Sequence[float | None],
    slopes: Sequence[float] = tuple(np.round(np.arange(0.0, 8.01, 0.5), 6)),
) -> tuple[dict[Label, float], float]:
    """The bias (see ``fit_bias``) and the abstention slope among ``slopes`` with the best
    accuracy over all the claims given; ties go to the smallest slope."""
    best_bias, best_slope, best_score = fit_bias(distributions, gold), 0.0, -1.0
    logits = _matrix(distributions)
    truth = _gold_index(gold)
    shift = _similarities(similarities, len(distributions))
    for slope in slopes:
        moved = logits.copy()
        moved[:, NEI] -= abstention(shift, float(slope))
        bias = _fit_bias_logits(moved, truth)
        values = np.array([bias[k] for k in LABELS])
        score = float(((moved + values).argmax(axis=1) == truth).mean())
        if score > best_score + 1e-12:
            best_bias, best_slope, best_score = bias, float(slope), score
    return best_bias, best_slope


def fit_bias(
    distributions: Sequence[Mapping[Label, float]],
    gold: Sequence[Label],
    limit: float = 2.0,
    step: float = 0.05,
) -> dict[Label, float]:
    """SUPPORTED and REFUTED biases (NOT_ENOUGH_INFO 0) in [-limit, limit] with the best
    accuracy over all the claims given; ties go to the bias closest to zero.

    Every claim counts once (pooled), not every dataset: a bias fitted for the mean accuracy
    of the datasets followed their smallest ones, and in leave-one-dataset-out checks on the
    development split it lowered the accuracy of the dataset left out.
    """
    return _fit_bias_logits(_matrix(distributions), _gold_index(gold), limit, step)


def _fit_bias_logits(
    logits: np.ndarray, truth: np.ndarray, limit: float = 2.0, step: float = 0.05
) -> dict[Label, float]:
    grid = np.round(np.arange(-limit, limit + step / 2, step), 6)
    s, r = LABELS.index(Label.SUPPORTED), LABELS.index(Label.REFUTED)
    best: tuple[float, float, float, float] = (-1.0, 0.0, 0.0, 0.0)
    for bias_s in grid:
        for bias_r in grid:
            shifted = logits.copy()
            shifted[:, s] += bias_s
            shifted[:, r] += bias_r
            score = float((shifted.argmax(axis=1) == truth).mean())
            size = -(abs(bias_s) + abs(bias_r))
            if (score, size) > (best[0], best[1]):
                best = (score, size, float(bias_s), float(bias_r))
    return {Label.SUPPORTED: best[2], Label.REFUTED: best[3], Label.NOT_ENOUGH_INFO: 0.0}


def fit_temperature(
    distributions: Sequence[Mapping[Label, float]],
    gold: Sequence[Label],
    bias: Mapping[Label, float] | None = None,
    low: float = 0.05,
    high: float = 20.0,
    similarity_slope: float = 0.0,
    similarities: Sequence[float | None] | None = None,
    temperature: float | None = None,
) -> float:
    """The temperature in [low, high] with the least NLL: a log-spaced grid, then refined.

    With ``temperature`` given, the one fitted is ``nei_temperature`` (the verdicts labelled
    NOT_ENOUGH_INFO; the others keep ``temperature``)."""
    bias = dict(bias or {})

    def loss(t: float) -> float:
        if temperature is None:
            calibration = Calibration(t, bias, similarity_slope)
        else:
            calibration = Calibration(temperature, bias, similarity_slope, nei_temperature=t)
        return negative_log_likelihood(distributions, gold, calibration, similarities)

    grid = np.exp(np.linspace(math.log(low), math.log(high), 60))
    best = int(np.argmin([loss(float(t)) for t in grid]))
    lo = float(grid[max(0, best - 1)])
    hi = float(grid[min(len(grid) - 1, best + 1)])
    for _ in range(40):  # golden-section search on the bracketing interval
        a = hi - (hi - lo) / 1.618
        b = lo + (hi - lo) / 1.618
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    return round((lo + hi) / 2, 4)

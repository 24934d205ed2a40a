"""Temperature scaling of verdict confidences. Pure functions, no I/O.

An aggregate's per-class scores ``d`` become ``softmax(log d / T)``: ``T > 1`` softens
over-confident scores, ``T < 1`` sharpens timid ones, and the label never changes. ``T`` is
fitted on development claims (never the held-out ones) by minimising the negative
log-likelihood of the gold labels, and shipped next to the verifier's weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from truthgraph.domain import Aggregate, Label

_FLOOR = 1e-6
_LABELS = tuple(Label)


def scale(scores: Mapping[Label, float], temperature: float) -> dict[Label, float]:
    """``scores`` (a distribution over the labels) sharpened or softened by ``temperature``."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    logits = np.log(np.clip([scores.get(k, 0.0) for k in _LABELS], _FLOOR, None)) / temperature
    weights = np.exp(logits - logits.max())
    weights /= weights.sum()
    return {k: float(w) for k, w in zip(_LABELS, weights, strict=True)}


def calibrate(result: Aggregate, temperature: float) -> Aggregate:
    """The aggregate with temperature-scaled scores, and its confidence taken from them.

    Only the weighted vote's confidence is the score of its label; for the other strategies
    (and for a temperature of 1) the aggregate is returned unchanged.
    """
    if temperature == 1.0 or not math.isclose(
        result.confidence, result.scores.get(result.label, -1.0), abs_tol=1e-9
    ):
        return result
    scaled = scale(result.scores, temperature)
    return replace(result, confidence=scaled[result.label], scores=scaled)


def negative_log_likelihood(
    distributions: Sequence[Mapping[Label, float]], gold: Sequence[Label], temperature: float
) -> float:
    """Mean NLL of the gold labels under the temperature-scaled distributions."""
    if not distributions:
        return 0.0
    total = -sum(
        math.log(max(scale(d, temperature)[g], _FLOOR))
        for d, g in zip(distributions, gold, strict=True)
    )
    return total / len(distributions)


def fit_temperature(
    distributions: Sequence[Mapping[Label, float]],
    gold: Sequence[Label],
    low: float = 0.05,
    high: float = 20.0,
) -> float:
    """The temperature in [low, high] with the least NLL: a log-spaced grid, then refined."""
    grid = np.exp(np.linspace(math.log(low), math.log(high), 60))
    losses = [negative_log_likelihood(distributions, gold, float(t)) for t in grid]
    best = int(np.argmin(losses))
    lo = float(grid[max(0, best - 1)])
    hi = float(grid[min(len(grid) - 1, best + 1)])
    for _ in range(40):  # golden-section search on the bracketing interval
        a = hi - (hi - lo) / 1.618
        b = lo + (hi - lo) / 1.618
        if negative_log_likelihood(distributions, gold, a) < negative_log_likelihood(
            distributions, gold, b
        ):
            hi = b
        else:
            lo = a
    return round((lo + hi) / 2, 4)

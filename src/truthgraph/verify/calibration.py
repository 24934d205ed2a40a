"""Calibration of weighted-vote verdicts: a class bias and a temperature. Pure functions.

An aggregate's per-class scores ``d`` become ``softmax((log d + b) / T)``. The bias ``b``
(one number per class, NOT_ENOUGH_INFO fixed at 0) moves the decision between "the evidence
settles it" and "it does not", which the verifier's training data cannot place right for
every corpus; the temperature ``T`` then makes the confidence honest: ``T > 1`` softens
over-confident scores, ``T < 1`` sharpens timid ones, and the label never changes with it.
Both are fitted on development claims (never the held-out ones): the bias for the best
accuracy over them, the temperature for the least negative log-likelihood. They ship in
``calibration.json`` next to the verifier's weights.

An optional abstention term reads how close the best retrieved sentence is to the claim: the
NOT_ENOUGH_INFO log-score loses ``similarity_slope * (s - SIMILARITY_PIVOT)`` where ``s`` is
the largest retrieval similarity among the sentences read (none read: no change). A claim
whose own subject was found is less likely to lack evidence than one that retrieved only
unrelated sentences, so "not enough information" with high confidence beside closely matching
evidence, the worst answer the product can give, becomes rarer. The slope is fitted with the
bias, for accuracy, on claims where NOT_ENOUGH_INFO is wrong as well as where it is right.

``nei_temperature`` (0: the same as ``temperature``) is the temperature of the verdicts whose
label is NOT_ENOUGH_INFO: their confidence can then be made as honest as the others' on data
where abstaining is often wrong, without changing any label.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.domain import Aggregate, Label

_FLOOR = 1e-6
_LABELS = tuple(Label)
_NEI = _LABELS.index(Label.NOT_ENOUGH_INFO)
SIMILARITY_PIVOT = 0.5
CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True, slots=True)
class Calibration:
    """A class bias (added to log-scores) and a temperature; the default changes nothing."""

    temperature: float = 1.0
    bias: Mapping[Label, float] = field(default_factory=dict)
    similarity_slope: float = 0.0
    nei_temperature: float = 0.0

    @property
    def is_identity(self) -> bool:
        return (
            self.temperature == 1.0
            and not any(self.bias.values())
            and not self.similarity_slope
            and self.nei_temperature in (0.0, 1.0)
        )


def _log_scores(scores: Mapping[Label, float]) -> np.ndarray:
    values = np.array([scores.get(k, 0.0) for k in _LABELS], dtype=np.float64)
    logs: np.ndarray = np.log(np.clip(values, _FLOOR, None))
    return logs


def _softmax(logits: np.ndarray) -> np.ndarray:
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    normalised: np.ndarray = weights / weights.sum(axis=-1, keepdims=True)
    return normalised


def _abstention(similarities: np.ndarray, slope: float) -> np.ndarray:
    """What the NOT_ENOUGH_INFO log-score loses for each claim's best similarity (NaN: none)."""
    shift: np.ndarray = np.nan_to_num(slope * (similarities - SIMILARITY_PIVOT), nan=0.0)
    return shift


def _calibrated(
    log_scores: np.ndarray, calibration: Calibration, similarities: np.ndarray | None = None
) -> np.ndarray:
    """Calibrated distributions from log-scores (one row per claim, or a single row) and each
    claim's best retrieval similarity (NaN or None: no evidence read)."""
    if calibration.temperature <= 0 or calibration.nei_temperature < 0:
        raise ValueError("temperature must be positive")
    bias = np.array([calibration.bias.get(k, 0.0) for k in _LABELS])
    shifted = log_scores + bias
    if calibration.similarity_slope and similarities is not None:
        shifted = shifted.copy()
        shifted[..., _NEI] -= _abstention(similarities, calibration.similarity_slope)
    temperature = np.full(shifted.shape[:-1], calibration.temperature)
    if calibration.nei_temperature:
        temperature[shifted.argmax(axis=-1) == _NEI] = calibration.nei_temperature
    return _softmax(shifted / temperature[..., None])


def scale(
    scores: Mapping[Label, float], calibration: Calibration, similarity: float | None = None
) -> dict[Label, float]:
    """``scores`` (a distribution over the labels) with the bias (and the abstention term for
    the best retrieval ``similarity``) added and the temperature applied."""
    best = np.array(np.nan if similarity is None else similarity)
    weights = _calibrated(_log_scores(scores), calibration, best)
    return {k: float(w) for k, w in zip(_LABELS, weights, strict=True)}


def calibrate(
    result: Aggregate, calibration: Calibration, similarity: float | None = None
) -> Aggregate:
    """The aggregate with calibrated scores, its label their argmax and its confidence the
    label's score.

    Only a weighted vote's confidence is the score of its label; for the other strategies
    (and for the identity calibration) the aggregate is returned unchanged.
    """
    if calibration.is_identity or not math.isclose(
        result.confidence, result.scores.get(result.label, -1.0), abs_tol=1e-9
    ):
        return result
    scaled = scale(result.scores, calibration, similarity)
    label = max(scaled, key=lambda k: scaled[k])
    return replace(result, label=label, confidence=scaled[label], scores=scaled)


def _matrix(distributions: Sequence[Mapping[Label, float]]) -> np.ndarray:
    return np.array([_log_scores(d) for d in distributions]).reshape(-1, len(_LABELS))


def _gold_index(gold: Sequence[Label]) -> np.ndarray:
    return np.array([_LABELS.index(g) for g in gold], dtype=int)


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
    probabilities = _calibrated(_matrix(distributions), calibration, best)
    picked = probabilities[np.arange(len(gold)), _gold_index(gold)]
    return float(-np.log(np.clip(picked, _FLOOR, None)).mean())


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
        moved[:, _NEI] -= _abstention(shift, float(slope))
        bias = _fit_bias_logits(moved, truth)
        values = np.array([bias[k] for k in _LABELS])
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
    s, r = _LABELS.index(Label.SUPPORTED), _LABELS.index(Label.REFUTED)
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


def read_calibration(model_folder: Path) -> Calibration:
    """The calibration fitted for the verifier in ``model_folder``; the identity without one."""
    path = model_folder / CALIBRATION_FILE
    if not path.is_file():
        return Calibration()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, json.JSONDecodeError):
        return Calibration()
    return calibration_from(data)


def calibration_from(data: Mapping[str, Any]) -> Calibration:
    """The calibration held in ``data`` (the fields of ``calibration_fields``); the identity
    where they are missing or out of range."""
    try:
        temperature = float(data["temperature"])
        bias = {Label(k): float(v) for k, v in data.get("bias", {}).items()}
        slope = float(data.get("similarity_slope", 0.0))
        nei_temperature = float(data.get("nei_temperature", 0.0))
    except (ValueError, KeyError, TypeError, AttributeError):
        return Calibration()
    if temperature <= 0 or nei_temperature < 0:
        return Calibration()
    return Calibration(temperature, bias, slope, nei_temperature)


def calibration_fields(calibration: Calibration) -> dict[str, Any]:
    """The JSON fields of a calibration (what ``calibration_from`` reads back)."""
    return {
        "temperature": calibration.temperature,
        "bias": {k.value: round(v, 4) for k, v in calibration.bias.items()},
        "similarity_slope": calibration.similarity_slope,
        "nei_temperature": calibration.nei_temperature,
    }


def write_calibration(
    model_folder: Path, calibration: Calibration, record: Mapping[str, Any]
) -> Path:
    """Write ``calibration.json`` with the fitted values and ``record`` (how they were fitted)."""
    path = model_folder / CALIBRATION_FILE
    data = {**calibration_fields(calibration), **record}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path

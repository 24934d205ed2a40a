"""Calibration of weighted-vote verdicts: a class bias and a temperature. Pure functions.

An aggregate's per-class scores ``d`` become ``softmax((log d + b) / T)``. The bias ``b``
(one number per class, NOT_ENOUGH_INFO fixed at 0) moves the decision between "the evidence
settles it" and "it does not", which the verifier's training data cannot place right for
every corpus; the temperature ``T`` then makes the confidence honest: ``T > 1`` softens
over-confident scores, ``T < 1`` sharpens timid ones, and the label never changes with it.
Both are fitted on development claims (never the held-out ones): the bias for the best
accuracy over them, the temperature for the least negative log-likelihood
(``evaluation/calibration_fit.py``; this module only applies them). They ship in
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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.domain import Aggregate, Label

FLOOR = 1e-6
LABELS = tuple(Label)
NEI = LABELS.index(Label.NOT_ENOUGH_INFO)
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


def log_scores(scores: Mapping[Label, float]) -> np.ndarray:
    values = np.array([scores.get(k, 0.0) for k in LABELS], dtype=np.float64)
    logs: np.ndarray = np.log(np.clip(values, FLOOR, None))
    return logs


def _softmax(logits: np.ndarray) -> np.ndarray:
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    normalised: np.ndarray = weights / weights.sum(axis=-1, keepdims=True)
    return normalised


def abstention(similarities: np.ndarray, slope: float) -> np.ndarray:
    """What the NOT_ENOUGH_INFO log-score loses for each claim's best similarity (NaN: none)."""
    shift: np.ndarray = np.nan_to_num(slope * (similarities - SIMILARITY_PIVOT), nan=0.0)
    return shift


def calibrated(
    log_scores: np.ndarray, calibration: Calibration, similarities: np.ndarray | None = None
) -> np.ndarray:
    """Calibrated distributions from log-scores (one row per claim, or a single row) and each
    claim's best retrieval similarity (NaN or None: no evidence read)."""
    if calibration.temperature <= 0 or calibration.nei_temperature < 0:
        raise ValueError("temperature must be positive")
    bias = np.array([calibration.bias.get(k, 0.0) for k in LABELS])
    shifted = log_scores + bias
    if calibration.similarity_slope and similarities is not None:
        shifted = shifted.copy()
        shifted[..., NEI] -= abstention(similarities, calibration.similarity_slope)
    temperature = np.full(shifted.shape[:-1], calibration.temperature)
    if calibration.nei_temperature:
        temperature[shifted.argmax(axis=-1) == NEI] = calibration.nei_temperature
    return _softmax(shifted / temperature[..., None])


def scale(
    scores: Mapping[Label, float], calibration: Calibration, similarity: float | None = None
) -> dict[Label, float]:
    """``scores`` (a distribution over the labels) with the bias (and the abstention term for
    the best retrieval ``similarity``) added and the temperature applied."""
    best = np.array(np.nan if similarity is None else similarity)
    weights = calibrated(log_scores(scores), calibration, best)
    return {k: float(w) for k, w in zip(LABELS, weights, strict=True)}


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

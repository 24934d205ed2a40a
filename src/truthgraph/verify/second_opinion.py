"""A second opinion: the claims the first verifier is unsure of are read again by another.

The fast verifier decides every claim. Where its calibrated confidence is below ``below``
and the claim has evidence, a second verifier (the accurate one) scores the same evidence,
with a calibration of its own fitted on the claims it is asked about, and the more confident
of the two verdicts is given. Most claims never reach the second verifier, so the median
claim costs what the fast verifier costs.

The record lives next to the first verifier's weights as ``second-opinion.json``, written by
``scripts/fit_second_opinion.py`` from development-split predictions (decision 0028): the
second verifier's name, the threshold, the second verifier's calibration for this role, and
the figures it was chosen on. Pure functions and a record type; ``verify.verifier`` applies
it and ``wiring`` loads the second verifier.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truthgraph.verify.calibration import Calibration, calibration_fields, calibration_from

SECOND_OPINION_FILE = "second-opinion.json"
SECOND_OPINION_TIMING = "second_opinion"  # the timings key of a verdict the second one gave


@dataclass(frozen=True, slots=True)
class SecondOpinionRecord:
    """Which verifier gives the second opinion, below which confidence of the first verdict,
    and the calibration of the second verifier's verdicts in this role."""

    model: str
    below: float
    calibration: Calibration


def read_second_opinion(model_folder: Path) -> SecondOpinionRecord | None:
    """The record in ``model_folder`` (None where there is none, or it cannot be read)."""
    path = model_folder / SECOND_OPINION_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        model, below = str(data["model"]), float(data["below"])
        calibration = calibration_from(data["calibration"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None
    if not model or not 0.0 < below <= 1.0:
        return None
    return SecondOpinionRecord(model, below, calibration)


def write_second_opinion(
    model_folder: Path, record: SecondOpinionRecord, how: Mapping[str, Any]
) -> Path:
    """Write ``second-opinion.json`` with the record and ``how`` (how it was chosen)."""
    path = model_folder / SECOND_OPINION_FILE
    data = {
        "model": record.model,
        "below": record.below,
        "calibration": calibration_fields(record.calibration),
        **how,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def unsure(confidences: Sequence[float], has_evidence: Sequence[bool], below: float) -> list[int]:
    """The positions of the verdicts to read again: confidence under ``below``, with evidence
    (a claim without evidence has nothing for a second verifier to read)."""
    return [
        i
        for i, (confidence, evidence) in enumerate(zip(confidences, has_evidence, strict=True))
        if evidence and confidence < below
    ]


def prefer_second(first_confidence: float, second_confidence: float) -> bool:
    """Whether the second verifier's verdict is given: it is the more confident (a tie keeps
    the first)."""
    return second_confidence > first_confidence

import math

import pytest

from truthgraph.domain import Aggregate, Label
from truthgraph.verify.calibration import calibrate, fit_temperature, scale

S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO


def test_scale_by_hand() -> None:
    scaled = scale({S: 0.5, R: 0.25, N: 0.25}, 0.5)  # squares, renormalised
    assert scaled[S] == pytest.approx(0.25 / 0.375)
    assert scaled[R] == pytest.approx(0.0625 / 0.375)
    assert scale({S: 0.5, R: 0.25, N: 0.25}, 1.0)[S] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        scale({S: 1.0}, 0.0)


def test_calibrate_keeps_the_label_and_changes_the_confidence() -> None:
    result = Aggregate(S, 0.5, {S: 0.5, R: 0.25, N: 0.25})
    softer = calibrate(result, 2.0)
    assert softer.label is S
    assert softer.confidence < 0.5
    assert softer.confidence == pytest.approx(math.sqrt(0.5) / (math.sqrt(0.5) + 2 * 0.5))
    # a strategy whose confidence is not its label's score is left as it is
    vote = Aggregate(S, 0.9, {S: 0.5, R: 0.25, N: 0.25})
    assert calibrate(vote, 2.0) is vote


def test_fit_softens_overconfident_and_sharpens_timid_scores() -> None:
    # always 0.9 on the predicted label, right 60% of the time: over-confident -> T > 1
    confident = [{S: 0.9, R: 0.05, N: 0.05}] * 10
    gold = [S] * 6 + [R] * 2 + [N] * 2
    assert fit_temperature(confident, gold) > 1.5
    # 0.4 on the predicted label, always right: timid -> T < 1
    timid = [{S: 0.4, R: 0.3, N: 0.3}] * 10
    assert fit_temperature(timid, [S] * 10) < 0.5

import math
from pathlib import Path

import pytest

from truthgraph.domain import Aggregate, Label
from truthgraph.evaluation.calibration_fit import fit_bias, fit_temperature
from truthgraph.verify.calibration import (
    Calibration,
    calibrate,
    read_calibration,
    scale,
    write_calibration,
)

S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO


def test_scale_by_hand() -> None:
    scaled = scale({S: 0.5, R: 0.25, N: 0.25}, Calibration(0.5))  # squares, renormalised
    assert scaled[S] == pytest.approx(0.25 / 0.375)
    assert scaled[R] == pytest.approx(0.0625 / 0.375)
    assert scale({S: 0.5, R: 0.25, N: 0.25}, Calibration())[S] == pytest.approx(0.5)
    # a bias of log 2 on REFUTED doubles its weight before normalising
    biased = scale({S: 0.5, R: 0.25, N: 0.25}, Calibration(1.0, {R: math.log(2)}))
    assert biased[R] == pytest.approx(0.4) and biased[S] == pytest.approx(0.4)
    with pytest.raises(ValueError):
        scale({S: 1.0}, Calibration(0.0))


def test_calibrate_rescales_the_confidence_and_the_bias_can_move_the_label() -> None:
    result = Aggregate(S, 0.5, {S: 0.5, R: 0.25, N: 0.25})
    softer = calibrate(result, Calibration(2.0))
    assert softer.label is S
    assert softer.confidence == pytest.approx(math.sqrt(0.5) / (math.sqrt(0.5) + 2 * 0.5))
    nei = Aggregate(N, 0.45, {S: 0.15, R: 0.4, N: 0.45})
    moved = calibrate(nei, Calibration(1.0, {R: 0.5}))
    assert moved.label is R
    assert moved.confidence == pytest.approx(0.4 * math.e**0.5 / (0.6 + 0.4 * math.e**0.5))
    # a strategy whose confidence is not its label's score is left as it is
    vote = Aggregate(S, 0.9, {S: 0.5, R: 0.25, N: 0.25})
    assert calibrate(vote, Calibration(2.0)) is vote


def test_fit_temperature_softens_overconfident_and_sharpens_timid_scores() -> None:
    # always 0.9 on the predicted label, right 60% of the time: over-confident -> T > 1
    confident = [{S: 0.9, R: 0.05, N: 0.05}] * 10
    gold = [S] * 6 + [R] * 2 + [N] * 2
    assert fit_temperature(confident, gold) > 1.5
    # 0.4 on the predicted label, always right: timid -> T < 1
    timid = [{S: 0.4, R: 0.3, N: 0.3}] * 10
    assert fit_temperature(timid, [S] * 10) < 0.5


def test_fit_bias_recovers_refutations_called_nei() -> None:
    # REFUTED claims scored 0.4 against 0.45 NEI: a REFUTED bias above log(0.45/0.4) ~ 0.118
    # fixes them without breaking the NEI claims (0.2 against 0.7)
    refuted = [{S: 0.15, R: 0.4, N: 0.45}] * 5
    nei = [{S: 0.1, R: 0.2, N: 0.7}] * 5
    bias = fit_bias(refuted + nei, [R] * 5 + [N] * 5)
    assert math.log(0.45 / 0.4) < bias[R] < math.log(0.7 / 0.2)
    assert bias[S] == 0.0 and bias[N] == 0.0


def test_calibration_file_round_trip(tmp_path: Path) -> None:
    assert read_calibration(tmp_path).is_identity
    write_calibration(tmp_path, Calibration(1.7, {S: 0.1, R: 0.3, N: 0.0}), {"fitted_on": "x"})
    loaded = read_calibration(tmp_path)
    assert loaded.temperature == 1.7 and loaded.bias[R] == 0.3
    (tmp_path / "calibration.json").write_text("{broken")
    assert read_calibration(tmp_path).is_identity


def test_the_abstention_term_lowers_nei_only_beside_close_evidence(tmp_path: Path) -> None:
    scores = {S: 0.3, R: 0.1, N: 0.6}
    calibration = Calibration(1.0, {}, similarity_slope=4.0)
    assert not calibration.is_identity
    assert scale(scores, calibration, None) == pytest.approx(scale(scores, Calibration()))
    assert scale(scores, calibration, 0.5) == pytest.approx(scale(scores, Calibration()))
    assert scale(scores, calibration, 0.9)[N] < 0.3 < scale(scores, calibration, 0.2)[N]
    nei = Aggregate(N, 0.6, scores)
    assert calibrate(nei, calibration, 0.9).label is S
    assert calibrate(nei, calibration, 0.3).label is N
    write_calibration(tmp_path, calibration, {"fitted_on": "x"})
    assert read_calibration(tmp_path) == calibration


def test_a_temperature_of_its_own_for_nei_verdicts_changes_their_confidence_only() -> None:
    nei = {S: 0.2, R: 0.1, N: 0.7}
    decided = {S: 0.7, R: 0.1, N: 0.2}
    calibration = Calibration(1.0, {}, nei_temperature=3.0)
    softened = scale(nei, calibration)
    assert max(softened, key=lambda k: softened[k]) is N and softened[N] < 0.5
    assert scale(decided, calibration) == pytest.approx(decided)
    wrong = [nei] * 8 + [decided] * 8
    gold = [S] * 8 + [S] * 8  # every NEI verdict wrong, every decided one right
    fitted = fit_temperature(wrong, gold, temperature=1.0)
    assert fitted > 2.0

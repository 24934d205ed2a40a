import json
from pathlib import Path

import pytest

from truthgraph.domain import Label
from truthgraph.evaluation.calibration_runs import Row, fit, read_predictions


def _write(folder: Path, rows: list[tuple[dict[str, float], str]]) -> None:
    folder.mkdir(parents=True)
    with (folder / "predictions.jsonl").open("w") as handle:
        for scores, gold in rows:
            handle.write(json.dumps({"scores": scores, "gold": gold, "predicted": "x"}) + "\n")


def test_fit_moves_timid_refutations_and_reports_before_and_after(tmp_path: Path) -> None:
    refuted = {"SUPPORTED": 0.15, "REFUTED": 0.4, "NOT_ENOUGH_INFO": 0.45}
    nei = {"SUPPORTED": 0.1, "REFUTED": 0.2, "NOT_ENOUGH_INFO": 0.7}
    supported = {"SUPPORTED": 0.8, "REFUTED": 0.1, "NOT_ENOUGH_INFO": 0.1}
    _write(tmp_path / "a", [(refuted, "REFUTED")] * 4 + [(nei, "NOT_ENOUGH_INFO")] * 4)
    _write(tmp_path / "b", [(supported, "SUPPORTED")] * 3 + [(supported, "REFUTED")])
    rows = read_predictions("a", tmp_path / "a") + read_predictions("b", tmp_path / "b")
    assert rows[0] == ("a", {Label(k): v for k, v in refuted.items()}, Label.REFUTED, None)
    calibration, figures = fit(rows)
    assert calibration.bias[Label.REFUTED] > 0.11
    assert figures["a"]["before"]["accuracy"] == 0.5
    assert figures["a"]["after"]["accuracy"] == 1.0
    assert figures["b"]["after"]["accuracy"] == pytest.approx(0.75)
    assert figures["all"]["after"]["n"] == 12
    assert figures["all"]["after"]["nll"] < figures["all"]["before"]["nll"]


def test_fit_only_rows_move_the_fit_without_joining_the_dev_figures() -> None:
    timid = {Label.SUPPORTED: 0.35, Label.REFUTED: 0.1, Label.NOT_ENOUGH_INFO: 0.55}
    sure = {Label.SUPPORTED: 0.1, Label.REFUTED: 0.05, Label.NOT_ENOUGH_INFO: 0.85}
    timid2 = {Label.SUPPORTED: 0.3, Label.REFUTED: 0.1, Label.NOT_ENOUGH_INFO: 0.6}
    dev: list[Row] = [
        ("fever", sure, Label.NOT_ENOUGH_INFO, None),
        ("fever", sure, Label.NOT_ENOUGH_INFO, None),
        ("fever", timid, Label.NOT_ENOUGH_INFO, None),
        ("fm2", timid2, Label.SUPPORTED, None),
    ]
    extra: list[Row] = [("fm2", timid, Label.SUPPORTED, None)] * 6
    plain, _ = fit(dev)
    assert plain.bias[Label.SUPPORTED] == 0.0
    calibration, figures = fit(dev, extra, {"fever only": frozenset({"fever"})})
    assert calibration.bias[Label.SUPPORTED] > plain.bias[Label.SUPPORTED]
    assert figures["all"]["after"]["n"] == 4 and figures["fm2 (fit)"]["after"]["n"] == 6
    assert figures["fever only"]["after"]["n"] == 3
    before, after = figures["fm2"]["before"], figures["fm2"]["after"]
    assert before["abstain"] == 1.0 and after["abstain"] == 0.0
    assert figures["fever"]["after"]["abstain"] == pytest.approx(2 / 3, abs=1e-3)
    assert before["confident_n"] == 0 and before["confident_accuracy"] is None


def test_the_abstention_slope_keeps_nei_where_nothing_close_was_found() -> None:
    # the same timid scores: NOT_ENOUGH_INFO right where the best sentence was far from the
    # claim (FEVER's unrelated pool), wrong where it matched closely (FM2's own page)
    timid = {Label.SUPPORTED: 0.3, Label.REFUTED: 0.1, Label.NOT_ENOUGH_INFO: 0.6}
    far: list[Row] = [("fever", timid, Label.NOT_ENOUGH_INFO, 0.3)] * 5
    close: list[Row] = [("fm2", timid, Label.SUPPORTED, 0.8)] * 5
    plain, before = fit(far + close)
    assert before["all"]["after"]["accuracy"] == 0.5
    calibration, figures = fit(far + close, abstention=True)
    assert calibration.similarity_slope > 0
    assert figures["all"]["after"]["accuracy"] == 1.0
    assert figures["fever"]["after"]["abstain"] == 1.0 and figures["fm2"]["after"]["abstain"] == 0

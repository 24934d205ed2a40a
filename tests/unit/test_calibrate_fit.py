import json
from pathlib import Path

import pytest

from truthgraph.domain import Label
from truthgraph.evaluation.calibrate import fit, read_predictions


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
    assert rows[0] == ("a", {Label(k): v for k, v in refuted.items()}, Label.REFUTED)
    calibration, figures = fit(rows)
    assert calibration.bias[Label.REFUTED] > 0.11
    assert figures["a"]["before"]["accuracy"] == 0.5
    assert figures["a"]["after"]["accuracy"] == 1.0
    assert figures["b"]["after"]["accuracy"] == pytest.approx(0.75)
    assert figures["all"]["after"]["n"] == 12
    assert figures["all"]["after"]["nll"] < figures["all"]["before"]["nll"]

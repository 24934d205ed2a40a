import pytest

from truthgraph.domain import Label
from truthgraph.measures.metrics import classification_report

S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO


def test_report_matches_a_hand_computed_case() -> None:
    gold = [S, S, S, R, R, N]
    predicted = [S, S, N, R, S, N]
    report = classification_report(gold, predicted)
    assert report["accuracy"] == pytest.approx(4 / 6)
    # S: tp 2, fp 1, fn 1 -> P 2/3 R 2/3; R: tp 1, fp 0, fn 1 -> P 1, R 1/2; N: tp 1, fp 1, fn 0
    assert report["per_class"]["SUPPORTED"]["f1"] == pytest.approx(2 / 3)
    assert report["per_class"]["REFUTED"]["f1"] == pytest.approx(2 / 3)
    assert report["per_class"]["NOT_ENOUGH_INFO"]["f1"] == pytest.approx(2 / 3)
    assert report["macro_f1"] == pytest.approx(2 / 3)
    assert report["confusion"]["SUPPORTED"]["NOT_ENOUGH_INFO"] == 1
    assert report["confusion"]["REFUTED"]["SUPPORTED"] == 1


def test_macro_f1_ignores_labels_absent_from_gold() -> None:
    report = classification_report([S, R], [S, R])
    assert report["macro_f1"] == 1.0

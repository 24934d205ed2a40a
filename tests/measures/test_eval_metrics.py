"""Evidence, strict-score and calibration metrics against hand-computed cases."""

import pytest

from truthgraph.data.datasets import parse_label
from truthgraph.domain import Label
from truthgraph.measures.metrics import (
    evidence_matches,
    evidence_recall,
    expected_calibration_error,
    gold_found,
    reliability_bins,
    strict_accuracy,
)

S, R, N = Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO
PARIS = "Paris is the capital of France."
SEINE = "The Seine flows through Paris."


def test_labels_are_read_in_our_and_fevers_spellings() -> None:
    assert parse_label("SUPPORTED") is S
    assert parse_label("supports") is S
    assert parse_label("REFUTES") is R
    assert parse_label("NOT ENOUGH INFO") is N
    assert parse_label("not_enough_info") is N
    assert parse_label(" Not Enough Info ") is N
    assert parse_label("MAYBE") is None


def test_evidence_matches_by_normalised_text() -> None:
    assert evidence_matches("Paris  is the capital of FRANCE.", PARIS)
    assert not evidence_matches("Paris is the capital of Spain.", PARIS)
    assert not evidence_matches("", PARIS)


def test_a_sentence_of_a_multi_sentence_gold_passage_matches() -> None:
    passage = f"{PARIS} {SEINE}"
    assert evidence_matches(SEINE, passage)  # retrieved sentence inside the gold passage
    assert evidence_matches(passage, SEINE)  # gold sentence inside a longer retrieved chunk
    assert not evidence_matches("Paris.", passage)  # too short to count as contained


def test_evidence_recall_counts_claims_with_gold_only() -> None:
    retrieved = [[PARIS, "x" * 30], ["unrelated sentence here"], [SEINE], [PARIS]]
    gold = [[PARIS], [SEINE], [], [SEINE, "Lyon is a city in France."]]
    # claim 1 found, claim 2 missed, claim 3 has no gold (ignored), claim 4 missed -> 1/3
    assert evidence_recall(retrieved, gold) == pytest.approx(1 / 3)
    assert evidence_recall([[PARIS]], [[]]) is None


def test_strict_needs_the_label_and_a_cited_gold_sentence() -> None:
    gold = [S, S, R, N, N, S]
    predicted = [S, S, S, N, S, S]
    cited = [[PARIS], [SEINE], [PARIS], [], [PARIS], [PARIS]]
    evidence = [[PARIS], [PARIS], [PARIS], [], [], []]
    # 1: right + gold cited -> 1; 2: right, gold not cited -> 0; 3: wrong label -> 0;
    # 4: NEI right -> 1; 5: NEI wrong -> 0; 6: SUPPORTED without gold evidence: not judged.
    score, judged = strict_accuracy(gold, predicted, cited, evidence)
    assert score == pytest.approx(2 / 5)
    assert judged == 5
    assert strict_accuracy([S], [S], [[PARIS]], [[]]) == (None, 0)
    assert gold_found([SEINE, PARIS], [PARIS])


def test_reliability_bins_are_equal_width_and_one_falls_in_the_last() -> None:
    bins = reliability_bins([0.05, 0.15, 0.95, 1.0, 0.1], [True, False, True, False, True], 10)
    assert len(bins) == 10
    assert (bins[0].lower, bins[0].upper, bins[0].count) == (0.0, 0.1, 1)
    assert bins[1].count == 2  # 0.15 and 0.1 (left-closed)
    assert bins[1].confidence == pytest.approx(0.125)
    assert bins[1].accuracy == pytest.approx(0.5)
    assert bins[9].count == 2 and bins[9].accuracy == pytest.approx(0.5)
    assert bins[5].count == 0 and bins[5].confidence is None and bins[5].accuracy is None


def test_expected_calibration_error_matches_a_hand_computed_case() -> None:
    confidences = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55]
    correct = [True, True, True, False, True, False]
    # bin 9: 4 claims, conf 0.95, acc 0.75 -> gap 0.2; bin 5: 2 claims, conf 0.55, acc 0.5
    # -> gap 0.05. ECE = 4/6 * 0.2 + 2/6 * 0.05 = 0.15
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.15)
    assert expected_calibration_error([0.75, 0.75], [True, True]) == pytest.approx(0.25)
    assert expected_calibration_error([], []) == 0.0

from truthgraph.domain import Label
from truthgraph.extract.rollup import rollup
from truthgraph.extract.types import SentenceLabel


def test_any_refuted_claim_refutes_the_sentence_without_confidences() -> None:
    labels = [Label.SUPPORTED, Label.REFUTED]
    assert rollup(labels) is SentenceLabel.REFUTED
    assert rollup(labels, [0.9, 0.55], weak_refutation=0.0) is SentenceLabel.REFUTED


def test_the_shipped_bound_sets_a_weak_refutation_aside() -> None:
    labels = [Label.SUPPORTED, Label.REFUTED]
    assert rollup(labels, [0.9, 0.55]) is SentenceLabel.PARTLY_SUPPORTED
    assert rollup(labels, [0.9, 0.85]) is SentenceLabel.REFUTED


def test_one_unsure_contradiction_does_not_refute_a_whole_sentence() -> None:
    labels = [Label.SUPPORTED, Label.SUPPORTED, Label.REFUTED]
    assert rollup(labels, [0.9, 0.8, 0.55], weak_refutation=0.7) is (SentenceLabel.PARTLY_SUPPORTED)
    assert rollup(labels, [0.9, 0.8, 0.95], weak_refutation=0.7) is SentenceLabel.REFUTED

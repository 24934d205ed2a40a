import pytest

from truthgraph.domain import Label, NLIScores, Strategy
from truthgraph.verify.aggregate import Decisive, aggregate, weighted_distribution

SUPPORT = NLIScores(0.9, 0.08, 0.02)
REFUTE = NLIScores(0.03, 0.07, 0.9)
NEUTRAL = NLIScores(0.02, 0.96, 0.02)


def test_verdict_is_not_enough_info_when_no_evidence_is_found() -> None:
    result = aggregate([], [])
    assert result.label is Label.NOT_ENOUGH_INFO
    assert result.confidence == 1.0


def test_one_strong_supporting_sentence_outweighs_many_unrelated_ones() -> None:
    result = aggregate([SUPPORT] + [NEUTRAL] * 9, [0.8] + [0.6] * 9)
    assert result.label is Label.SUPPORTED
    assert 0.5 < result.confidence <= 1.0


def test_only_unrelated_sentences_give_not_enough_info() -> None:
    result = aggregate([NEUTRAL] * 5, [0.7] * 5)
    assert result.label is Label.NOT_ENOUGH_INFO


def test_weighted_distribution_sums_to_one() -> None:
    distribution = weighted_distribution([SUPPORT, REFUTE, NEUTRAL], [0.9, 0.5, 0.1])
    assert sum(distribution.values()) == pytest.approx(1.0)


def test_more_relevant_evidence_wins_a_weighted_conflict() -> None:
    result = aggregate([SUPPORT, REFUTE], [0.3, 0.9])
    assert result.label is Label.REFUTED


def test_majority_vote_counts_decisive_sentences() -> None:
    result = aggregate([SUPPORT, SUPPORT, REFUTE, NEUTRAL], [0.5] * 4, Strategy.MAJORITY_VOTE)
    assert result.label is Label.SUPPORTED
    assert result.confidence == pytest.approx((2 / 3) * 0.9)


def test_majority_vote_tie_is_not_enough_info() -> None:
    result = aggregate([SUPPORT, REFUTE], [0.5, 0.5], Strategy.MAJORITY_VOTE)
    assert result.label is Label.NOT_ENOUGH_INFO


def test_confidence_threshold_needs_one_sentence_above_it() -> None:
    weak = NLIScores(0.55, 0.40, 0.05)
    below = aggregate([weak], [0.9], Strategy.CONFIDENCE_THRESHOLD, threshold=0.6)
    above = aggregate([weak, REFUTE], [0.9, 0.2], Strategy.CONFIDENCE_THRESHOLD, threshold=0.6)
    assert below.label is Label.NOT_ENOUGH_INFO
    assert above.label is Label.REFUTED
    assert above.confidence == pytest.approx(0.9)


def test_strict_consensus_rejects_conflicting_evidence() -> None:
    conflict = aggregate([SUPPORT, REFUTE], [0.9, 0.9], Strategy.STRICT_CONSENSUS)
    agreed = aggregate([SUPPORT, SUPPORT, NEUTRAL], [0.9, 0.9, 0.9], Strategy.STRICT_CONSENSUS)
    assert conflict.label is Label.NOT_ENOUGH_INFO
    assert agreed.label is Label.SUPPORTED


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError):
        aggregate([SUPPORT], [0.1, 0.2])


# the reader's rule (decision 0030): a related sentence's weak contradiction does not outvote
# the sentence that states the claim
RELATED = NLIScores(0.05, 0.4, 0.55)  # "Its summit stands 5,895 m above sea level."


def test_one_strong_entailment_is_not_outvoted_by_weak_contradictions() -> None:
    scores = [NLIScores(0.8, 0.15, 0.05), RELATED, RELATED, RELATED]
    similarities = [0.7, 0.8, 0.8, 0.8]
    old = aggregate(scores, similarities)  # the weighted vote: three related sentences win
    assert old.label is Label.REFUTED
    new = aggregate(scores, similarities, Strategy.DECISIVE, rule=Decisive(0.5, 0.6, 0.2))
    assert new.label is Label.SUPPORTED
    assert new.confidence == pytest.approx(0.8)


def test_decisive_contradiction_must_be_strong_to_refute_alone() -> None:
    rule = Decisive(0.5, 0.6, 0.2)
    weak = aggregate([RELATED, NEUTRAL], [0.8, 0.7], Strategy.DECISIVE, rule=rule)
    assert weak.label is Label.NOT_ENOUGH_INFO
    strong = aggregate([REFUTE, NEUTRAL], [0.8, 0.7], Strategy.DECISIVE, rule=rule)
    assert strong.label is Label.REFUTED and strong.confidence == pytest.approx(0.9)


def test_decisive_support_gives_way_to_a_much_stronger_contradiction() -> None:
    rule = Decisive(0.5, 0.6, 0.2)
    result = aggregate(
        [NLIScores(0.55, 0.4, 0.05), REFUTE], [0.8, 0.8], Strategy.DECISIVE, rule=rule
    )
    assert result.label is Label.REFUTED


def test_decisive_with_no_evidence_is_not_enough_info() -> None:
    assert aggregate([], [], Strategy.DECISIVE).label is Label.NOT_ENOUGH_INFO

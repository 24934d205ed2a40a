"""Aggregation of pair scores into a claim verdict. Pure functions, no I/O.

Each evidence sentence ``i`` has NLI probabilities ``p_i`` (entailment, neutral,
contradiction) and a retrieval similarity ``s_i``. The per-class ``scores`` of every strategy
are the evidence-weighted class distribution (see ``weighted_distribution``); the strategies
differ in how they pick the label and the confidence:

- ``weighted_vote`` (default): label = argmax of the weighted distribution.
- ``majority_vote``: each decisive sentence (argmax SUPPORTED or REFUTED) votes once; the
  larger side wins, a tie or no decisive sentence gives NOT_ENOUGH_INFO.
- ``confidence_threshold``: the single most confident decisive sentence decides, if its
  probability reaches the threshold; otherwise NOT_ENOUGH_INFO.
- ``strict_consensus``: every sentence decisive at the threshold must agree; any conflict,
  or none decisive, gives NOT_ENOUGH_INFO.
- ``decisive`` (the reader's rule, decision 0030): the most entailing sentence supports the
  claim when its entailment reaches ``Decisive.support`` and no contradiction is stronger by
  more than ``Decisive.margin``; otherwise the most contradicting sentence refutes it when its
  contradiction reaches ``Decisive.refute``; otherwise NOT_ENOUGH_INFO. One strong entailment
  is never outvoted by many weak contradictions from sentences about something else, and a
  contradiction must be strong to decide alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truthgraph.domain import Aggregate, Label, NLIScores, Strategy


@dataclass(frozen=True, slots=True)
class Decisive:
    """The thresholds of the ``decisive`` strategy (fitted on the dev sets: decision 0030)."""

    support: float = 0.5
    refute: float = 0.6
    margin: float = 0.2


NO_EVIDENCE = Aggregate(
    Label.NOT_ENOUGH_INFO,
    1.0,
    {Label.SUPPORTED: 0.0, Label.REFUTED: 0.0, Label.NOT_ENOUGH_INFO: 1.0},
)


def _probability(scores: NLIScores, label: Label) -> float:
    if label is Label.SUPPORTED:
        return scores.entailment
    if label is Label.REFUTED:
        return scores.contradiction
    return scores.neutral


def weighted_distribution(
    scores: Sequence[NLIScores], similarities: Sequence[float]
) -> dict[Label, float]:
    """Average of the pair distributions, each weighted by relevance x decisiveness.

    Relevance is the retrieval similarity clipped to [0.05, 1]; decisiveness is
    ``1 - p(neutral)``, so a sentence that does not address the claim barely votes, and one
    strongly supporting sentence outweighs many unrelated ones.
    """
    weights = [
        max(0.05, min(1.0, sim)) * max(1e-3, 1.0 - s.neutral)
        for s, sim in zip(scores, similarities, strict=True)
    ]
    total = sum(weights)
    return {
        label: sum(w * _probability(s, label) for w, s in zip(weights, scores, strict=True)) / total
        for label in Label
    }


def decide(
    scores: Sequence[NLIScores], distribution: dict[Label, float], rule: Decisive
) -> Aggregate:
    """The ``decisive`` strategy (see the module's docstring); the confidence is the deciding
    sentence's probability (for NOT_ENOUGH_INFO, one minus the strongest of the two)."""
    entailment = max(s.entailment for s in scores)
    contradiction = max(s.contradiction for s in scores)
    if entailment >= rule.support and entailment + rule.margin >= contradiction:
        return Aggregate(Label.SUPPORTED, entailment, distribution)
    if contradiction >= rule.refute:
        return Aggregate(Label.REFUTED, contradiction, distribution)
    return Aggregate(Label.NOT_ENOUGH_INFO, 1.0 - max(entailment, contradiction), distribution)


def aggregate(
    scores: Sequence[NLIScores],
    similarities: Sequence[float],
    strategy: Strategy = Strategy.WEIGHTED_VOTE,
    threshold: float = 0.6,
    rule: Decisive | None = None,
) -> Aggregate:
    """The claim's label, confidence in [0, 1], and per-class scores (``rule``: the
    thresholds of ``decisive``, default ``Decisive()``)."""
    if len(scores) != len(similarities):
        raise ValueError("scores and similarities must have the same length")
    if not scores:
        return NO_EVIDENCE
    distribution = weighted_distribution(scores, similarities)
    if strategy is Strategy.DECISIVE:
        return decide(scores, distribution, rule or Decisive())
    if strategy is Strategy.WEIGHTED_VOTE:
        label = max(distribution, key=lambda k: distribution[k])
        return Aggregate(label, distribution[label], distribution)
    decisive = [s for s in scores if s.label is not Label.NOT_ENOUGH_INFO]
    neutral_confidence = max(s.neutral for s in scores)
    if strategy is Strategy.MAJORITY_VOTE:
        support = [s.entailment for s in decisive if s.label is Label.SUPPORTED]
        refute = [s.contradiction for s in decisive if s.label is Label.REFUTED]
        if len(support) == len(refute):
            return Aggregate(Label.NOT_ENOUGH_INFO, neutral_confidence, distribution)
        label, winners = (
            (Label.SUPPORTED, support) if len(support) > len(refute) else (Label.REFUTED, refute)
        )
        confidence = (len(winners) / len(decisive)) * (sum(winners) / len(winners))
        return Aggregate(label, confidence, distribution)
    if strategy is Strategy.CONFIDENCE_THRESHOLD:
        if decisive:
            best = max(decisive, key=lambda s: _probability(s, s.label))
            probability = _probability(best, best.label)
            if probability >= threshold:
                return Aggregate(best.label, probability, distribution)
            return Aggregate(Label.NOT_ENOUGH_INFO, 1.0 - probability, distribution)
        return Aggregate(Label.NOT_ENOUGH_INFO, neutral_confidence, distribution)
    if strategy is Strategy.STRICT_CONSENSUS:
        confident = [s for s in decisive if _probability(s, s.label) >= threshold]
        labels = {s.label for s in confident}
        if len(labels) == 1:
            label = labels.pop()
            confidence = min(_probability(s, label) for s in confident)
            return Aggregate(label, confidence, distribution)
        return Aggregate(Label.NOT_ENOUGH_INFO, neutral_confidence, distribution)
    raise ValueError(f"unknown strategy {strategy!r}")

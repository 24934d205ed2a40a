"""Claim labels -> a sentence's label; sentence and claim labels -> a document's figures."""

from __future__ import annotations

from collections.abc import Sequence

from truthgraph.domain import Label
from truthgraph.extract.types import SentenceLabel

WEAK_REFUTATION = 0.7
"""A claim refuted with a confidence below this counts as lacking evidence in a sentence's
roll-up: one unsure contradiction does not make a whole sentence REFUTED (fitted on WiCE dev,
decision 0030)."""


def rollup(
    labels: Sequence[Label],
    confidences: Sequence[float] | None = None,
    weak_refutation: float = WEAK_REFUTATION,
) -> SentenceLabel:
    """A sentence's label from its claims' labels (and their ``confidences``).

    SUPPORTED if all its claims are, REFUTED if any is refuted (with a confidence of at least
    ``weak_refutation``; a weaker refutation counts as lacking evidence), PARTLY_SUPPORTED if
    some are supported and the rest lack evidence, NOT_ENOUGH_INFO otherwise (and for no
    claims).

    >>> rollup([Label.SUPPORTED, Label.NOT_ENOUGH_INFO])
    <SentenceLabel.PARTLY_SUPPORTED: 'PARTLY_SUPPORTED'>
    """
    if confidences is not None:
        labels = [
            Label.NOT_ENOUGH_INFO
            if label is Label.REFUTED and confidence < weak_refutation
            else label
            for label, confidence in zip(labels, confidences, strict=True)
        ]
    if not labels:
        return SentenceLabel.NOT_ENOUGH_INFO
    if any(label is Label.REFUTED for label in labels):
        return SentenceLabel.REFUTED
    supported = sum(label is Label.SUPPORTED for label in labels)
    if supported == len(labels):
        return SentenceLabel.SUPPORTED
    if supported:
        return SentenceLabel.PARTLY_SUPPORTED
    return SentenceLabel.NOT_ENOUGH_INFO


def factuality(labels: Sequence[Label]) -> float | None:
    """The share of claims that are supported (FActScore's factual precision); None for no
    claims."""
    if not labels:
        return None
    return sum(label is Label.SUPPORTED for label in labels) / len(labels)


def document_counts(sentence_labels: Sequence[SentenceLabel]) -> dict[str, int]:
    """How many checked sentences got each label (every label present, zeros included)."""
    return {label.value: sum(s is label for s in sentence_labels) for label in SentenceLabel}

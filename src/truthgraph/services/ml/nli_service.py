"""NLIService: the design document's verification API over any loaded NLIModel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError
from truthgraph.ml.nli.labels import VERDICT_TO_NLI, NLILabel
from truthgraph.ports import LoadedNLIModel

DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True, slots=True)
class NLIResult:
    """Probabilities of one (premise, hypothesis) pair and the most likely label."""

    label: NLILabel
    confidence: float
    entailment_score: float
    contradiction_score: float
    neutral_score: float

    @property
    def scores(self) -> dict[str, float]:
        return {
            "entailment": self.entailment_score,
            "contradiction": self.contradiction_score,
            "neutral": self.neutral_score,
        }

    @classmethod
    def from_scores(cls, scores: NLIScores) -> NLIResult:
        return cls(
            label=VERDICT_TO_NLI[scores.label],
            confidence=max(scores.entailment, scores.neutral, scores.contradiction),
            entailment_score=scores.entailment,
            contradiction_score=scores.contradiction,
            neutral_score=scores.neutral,
        )


class NLIService:
    """Scores whether a premise (evidence) entails, contradicts or is neutral to a hypothesis.

    >>> nli = ModelCache.get_instance().get_nli_service()
    >>> nli.verify_single("Soul Food was released by Fox 2000 Pictures.",
    ...                   "Fox 2000 Pictures released Soul Food.").label
    <NLILabel.ENTAILMENT: 'entailment'>
    """

    def __init__(self, model: LoadedNLIModel) -> None:
        self.model = model

    @property
    def model_name(self) -> str:
        return self.model.name

    def verify_single(self, premise: str, hypothesis: str) -> NLIResult:
        """Score one pair."""
        return self.verify_batch([(premise, hypothesis)])[0]

    def verify_batch(
        self, pairs: Sequence[tuple[str, str]], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> list[NLIResult]:
        """Score many (premise, hypothesis) pairs, in order."""
        for pair in pairs:
            if len(pair) != 2 or not all(isinstance(t, str) and t.strip() for t in pair):
                raise InvalidInputError("each pair must be two non-empty strings")
        return [NLIResult.from_scores(s) for s in self.model.predict(pairs, batch_size)]

"""The result of checking a text: sentences with their verdicts, claims and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from truthgraph.domain import Verdict
from truthgraph.extract import AtomicClaim, CheckedSentence, SentenceLabel
from truthgraph.extract.rollup import document_counts, factuality, rollup

EVIDENCE_SHOWN = 3  # the best evidence sentences kept per claim in the report
LABELS = ("three-way", "binary")
"""How a report labels sentences and the text: ``three-way`` (SUPPORTED, REFUTED,
PARTLY_SUPPORTED, NOT_ENOUGH_INFO; the default) or ``binary`` (SUPPORTED or NOT_SUPPORTED, as
RAG answer checking and the LLM-AggreFact family score it: only a sentence whose every claim
is supported is supported)."""
NOT_SUPPORTED = "NOT_SUPPORTED"


def binary(label: str) -> str:
    """A sentence or text label in the binary form: SUPPORTED stays, the rest NOT_SUPPORTED."""
    return "SUPPORTED" if label == "SUPPORTED" else NOT_SUPPORTED


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """An atomic claim and its verdict."""

    claim: AtomicClaim
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        verdict = self.verdict.to_dict()
        return {
            "text": self.claim.text,
            "start": self.claim.start,
            "end": self.claim.end,
            "pieces": [list(p) for p in self.claim.pieces],
            "verdict": verdict["verdict"],
            "confidence": verdict["confidence"],
            "scores": verdict["scores"],
            "evidence": verdict["evidence"][:EVIDENCE_SHOWN],
        }


@dataclass(frozen=True, slots=True)
class SentenceResult:
    """A sentence of the text: its verdict (None when it was not checked) and its claims."""

    sentence: CheckedSentence
    claims: tuple[ClaimResult, ...]

    @property
    def label(self) -> SentenceLabel | None:
        if not self.sentence.checked:
            return None
        return rollup(
            [c.verdict.label for c in self.claims], [c.verdict.confidence for c in self.claims]
        )

    def to_dict(self, labels: str = "three-way") -> dict[str, Any]:
        s = self.sentence
        label = self.label
        verdict = label.value if label is not None else None
        detail: dict[str, str] = {}
        if labels == "binary" and verdict is not None:
            verdict, detail = binary(verdict), {"verdict_detail": verdict}
        return {
            "index": s.index,
            "text": s.sentence.text,
            "start": s.sentence.start,
            "end": s.sentence.end,
            "page": s.sentence.page,
            "checked": s.checked,
            "skipped": s.skip,
            "verdict": verdict,
            **detail,
            "claims": [c.to_dict() for c in self.claims],
            "unmapped_claims": list(s.unmapped),
        }


@dataclass(frozen=True, slots=True)
class CheckReport:
    """A checked text: per-sentence verdicts, document counts and factuality."""

    text: str
    collection: str
    extractor: str
    sentences: tuple[SentenceResult, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    source: str | None = None
    labels: str = "three-way"  # or "binary" (LABELS)

    @property
    def claims(self) -> list[ClaimResult]:
        return [c for s in self.sentences for c in s.claims]

    @property
    def factuality(self) -> float | None:
        """The share of claims that are supported (FActScore)."""
        return factuality([c.verdict.label for c in self.claims])

    @property
    def label(self) -> SentenceLabel:
        """The whole text's label: the roll-up of all its claims."""
        return rollup(
            [c.verdict.label for c in self.claims], [c.verdict.confidence for c in self.claims]
        )

    @property
    def verdict(self) -> str:
        """The text's label in the report's form (``labels``)."""
        return binary(self.label.value) if self.labels == "binary" else self.label.value

    def counts(self) -> dict[str, Any]:
        checked = [s for s in self.sentences if s.label is not None]
        by_verdict = document_counts([s.label for s in checked if s.label])
        if self.labels == "binary":
            supported = by_verdict.get("SUPPORTED", 0)
            by_verdict = {"SUPPORTED": supported, NOT_SUPPORTED: len(checked) - supported}
        return {
            "sentences": len(self.sentences),
            "sentences_checked": len(checked),
            "sentences_skipped": len(self.sentences) - len(checked),
            "claims": len(self.claims),
            "claims_unmapped": sum(len(s.sentence.unmapped) for s in self.sentences),
            "claims_by_verdict": {
                label: sum(c.verdict.label.value == label for c in self.claims)
                for label in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
            },
            "sentences_by_verdict": by_verdict,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view: ``truthgraph check --json`` and ``POST /api/v1/check``."""
        score = self.factuality
        detail: dict[str, str] = {}
        if self.labels == "binary":
            detail = {"labels": "binary", "verdict_detail": self.label.value}
        return {
            "source": self.source,
            "collection": self.collection,
            "extractor": self.extractor,
            "verdict": self.verdict,
            **detail,
            "factuality": round(score, 4) if score is not None else None,
            **self.counts(),
            "sentences": [s.to_dict(self.labels) for s in self.sentences],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "text": self.text,
        }

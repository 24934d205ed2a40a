"""Run a verifier over labelled claims and measure it.

``evaluate`` verifies every claim one at a time, as ``truthgraph verify CLAIM`` does (so the
latency is per claim), without storing the verdicts; ``measure`` turns the predictions into
the report's figures with the pure functions of ``measures.metrics``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from truthgraph.data.datasets import LabeledClaim
from truthgraph.domain import Label, Verdict
from truthgraph.evaluation.dataset import Mode
from truthgraph.measures.metrics import (
    classification_report,
    confusion,
    evidence_recall,
    expected_calibration_error,
    gold_found,
    reliability_bins,
    strict_accuracy,
)
from truthgraph.measures.stats import percentile
from truthgraph.verify.options import VerifyOptions

CITED_K = 5  # evidence sentences a verdict cites for the strict score (FEVER's scorer: 5)
CALIBRATION_BINS = 10
NO_KIND = "(no kind)"  # the group of claims without a kind, in a set where others have one


@dataclass(frozen=True, slots=True)
class Prediction:
    """A labelled claim with the verdict it got."""

    claim: LabeledClaim
    verdict: Verdict

    @property
    def correct(self) -> bool:
        return self.verdict.label is self.claim.label

    @property
    def retrieved(self) -> list[str]:
        """The texts of every evidence sentence the verdict weighed (the top k)."""
        return [e.hit.text for e in self.verdict.evidence]

    @property
    def cited(self) -> list[str]:
        """The ``CITED_K`` sentences that carry the verdict most."""
        return self.retrieved[:CITED_K]

    @property
    def latency_ms(self) -> float:
        return self.verdict.timings_ms.get("total", 0.0)

    def to_dict(self) -> dict[str, Any]:
        """One line of ``predictions.jsonl``."""
        row: dict[str, Any] = {
            "id": self.claim.id,
            "claim": self.claim.claim,
            "gold": self.claim.label.value,
            "predicted": self.verdict.label.value,
            "correct": self.correct,
            "confidence": round(self.verdict.confidence, 4),
            "scores": {k.value: round(v, 4) for k, v in self.verdict.scores.items()},
            "gold_evidence_cited": (
                gold_found(self.cited, self.claim.evidence) if self.claim.evidence else None
            ),
            "cited": [
                {
                    "text": e.hit.text,
                    "title": e.hit.title,
                    "similarity": round(e.hit.similarity, 4),
                    "label": e.label.value,
                    "nli": {k: round(v, 4) for k, v in e.scores.as_dict().items()},
                }
                for e in self.verdict.evidence[:CITED_K]
            ],
            "latency_ms": round(self.latency_ms, 2),
            "second_opinion": None
            if self.verdict.second_opinion is None
            else self.verdict.second_opinion.as_dict(),
        }
        if self.claim.kind:
            row["kind"] = self.claim.kind
        return row

    @property
    def second_opinion(self) -> bool:
        """Whether a second verifier read the claim again (``verify.second_opinion``)."""
        return self.verdict.second_opinion is not None


class ClaimVerifier(Protocol):
    """What ``evaluate`` needs: a ``Verifier``, or ``distributed.verify.RayVerifier``."""

    @property
    def options(self) -> VerifyOptions: ...

    def verify_many(
        self,
        claims: Sequence[str],
        collection: str = "default",
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]: ...

    def verify_against_many(
        self,
        items: Sequence[tuple[str, Sequence[str]]],
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]: ...


def evaluate(
    verifier: ClaimVerifier,
    claims: Sequence[LabeledClaim],
    mode: Mode,
    collection: str | None = None,
    options: VerifyOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    warmup: bool = True,
) -> list[Prediction]:
    """Verify every claim, one at a time, and never store the verdicts.

    ``retrieval``: the whole pipeline against ``collection``. ``oracle``: each claim against
    its own gold evidence only (NLI and aggregation; a claim without any gets
    NOT_ENOUGH_INFO). ``warmup`` verifies the first claim once more beforehand, untimed, so
    the first timed claim does not pay for cold model sessions and index pages.
    """
    options = replace(options or verifier.options, persist=False)
    if mode == "retrieval" and collection is None:
        raise ValueError("retrieval mode needs a collection")

    def run(
        batch: Sequence[LabeledClaim], report: Callable[[int, int], None] | None
    ) -> list[Verdict]:
        if collection is not None and mode == "retrieval":
            texts = [c.claim for c in batch]
            return verifier.verify_many(texts, collection, options, report, batch_claims=1)
        items = [(c.claim, c.evidence) for c in batch]
        return verifier.verify_against_many(items, options, report, batch_claims=1)

    if warmup and claims:
        run(claims[:1], None)
    verdicts = run(claims, progress)
    return [Prediction(c, v) for c, v in zip(claims, verdicts, strict=True)]


def per_kind(predictions: Sequence[Prediction]) -> dict[str, dict[str, Any]]:
    """For each kind of claim, in the order of first appearance: ``n``, ``correct``,
    ``accuracy`` and ``confusion`` (``[gold][predicted]`` counts). Empty when no claim has a
    kind; where some have one, the claims without one form the group ``NO_KIND``."""
    if not any(p.claim.kind for p in predictions):
        return {}
    groups: dict[str, list[Prediction]] = {}
    for p in predictions:
        groups.setdefault(p.claim.kind or NO_KIND, []).append(p)
    return {
        kind: {
            "n": len(group),
            "correct": sum(p.correct for p in group),
            "accuracy": sum(p.correct for p in group) / len(group),
            "confusion": confusion(
                [p.claim.label for p in group], [p.verdict.label for p in group]
            ),
        }
        for kind, group in groups.items()
    }


def measure(predictions: Sequence[Prediction], mode: Mode, top_k: int) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class P/R/F1, confusion, evidence recall@k (retrieval mode,
    where gold evidence is given), strict score, calibration (ECE), latency, and the
    accuracy per kind of claim (``per_kind``) where the claims have kinds."""
    gold = [p.claim.label for p in predictions]
    predicted = [p.verdict.label for p in predictions]
    gold_evidence = [p.claim.evidence for p in predictions]
    confidences = [p.verdict.confidence for p in predictions]
    correct = [p.correct for p in predictions]
    report = classification_report(gold, predicted)
    recall = evidence_recall([p.retrieved for p in predictions], gold_evidence)
    retrieval = mode == "retrieval"
    report["evidence"] = {
        "k": top_k if retrieval else None,
        "recall_at_k": recall if retrieval else None,
        "claims_with_gold": sum(bool(e) for e in gold_evidence),
    }
    strict, strict_n = strict_accuracy(
        gold, predicted, [p.cited for p in predictions], gold_evidence
    )
    report["strict"] = {"score": strict, "n": strict_n, "cited_k": CITED_K}
    report["calibration"] = {
        "ece": expected_calibration_error(confidences, correct, CALIBRATION_BINS),
        "bins": [b.as_dict() for b in reliability_bins(confidences, correct, CALIBRATION_BINS)],
    }
    latencies = [p.latency_ms for p in predictions]
    n = max(len(predictions), 1)
    report["second_opinion_share"] = sum(p.second_opinion for p in predictions) / n
    report["second_opinion_given"] = (
        sum(
            bool(p.verdict.second_opinion and p.verdict.second_opinion.adopted) for p in predictions
        )
        / n
    )
    report["latency_ms"] = {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "mean": sum(latencies) / len(latencies) if latencies else 0.0,
    }
    report["predicted_counts"] = {
        label.value: sum(p is label for p in predicted) for label in Label
    }
    if kinds := per_kind(predictions):
        report["per_kind"] = kinds
    return report

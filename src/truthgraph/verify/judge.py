"""The NLI stage: ``Judge`` scores (evidence, claim) pairs and aggregates them into verdicts;
``SecondOpinion`` reads again the claims it is unsure of."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from truthgraph.domain import (
    EvidenceContext,
    EvidenceHit,
    Label,
    NLIScores,
    ScoredEvidence,
    SecondOpinionNote,
    Verdict,
    check_characters,
)
from truthgraph.errors import InvalidInputError
from truthgraph.ports import LoadedNLIModel, NLICache, NLIModel, nli_cache_key
from truthgraph.reading.premise import has_title, mean_scores, premise, read_with
from truthgraph.verify.aggregate import aggregate
from truthgraph.verify.calibration import Calibration, calibrate
from truthgraph.verify.distinct import distinct_hits
from truthgraph.verify.joined import joined_premise, rerank, with_joined
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.second_opinion import SECOND_OPINION_TIMING, prefer_second, unsure


@dataclass(frozen=True)
class Judge:
    """The NLI half of verification: score (evidence, claim) pairs (through the NLI cache
    when given) and aggregate them into verdicts. ``Verifier`` uses one; a distributed run
    holds one per NLI worker."""

    nli: NLIModel
    nli_cache: NLICache | None = None
    nli_cache_key: str | None = None
    calibration: Calibration = field(default_factory=Calibration)
    second: SecondOpinion | None = None

    def judge_many(
        self,
        claims: Sequence[str],
        hits: Sequence[Sequence[EvidenceHit]],
        options: VerifyOptions,
        collection: str,
        timings_ms: dict[str, float],
    ) -> list[Verdict]:
        """The verdict of each claim on its evidence (not stored); ``timings_ms`` are the
        earlier stages' shares per claim, and the NLI time is shared out the same way."""
        t2 = time.perf_counter()
        scores = self.score(claims, hits, options.evidence_context)
        rows: list[tuple[list[EvidenceHit], list[NLIScores]]] = []
        offset = 0
        for row in hits:
            claim_scores = scores[offset : offset + len(row)]
            offset += len(row)
            if len(row) > options.top_k:  # a deeper search (rerank_depth): the most decisive
                rows.append(rerank(row, claim_scores, options.top_k))
            else:
                rows.append((list(row), claim_scores))
        joined = self.score_joined(claims, [r for r, _ in rows], options)
        nli_ms = (time.perf_counter() - t2) * 1000 / max(len(claims), 1)
        verdicts = [
            self.conclude(
                claim,
                row,
                claim_scores,
                options,
                collection,
                {**timings_ms, "nli": nli_ms},
                joined_score,
            )
            for claim, (row, claim_scores), joined_score in zip(claims, rows, joined, strict=True)
        ]
        return self.reconsider(claims, [r for r, _ in rows], verdicts, options, collection)

    def reconsider(
        self,
        claims: Sequence[str],
        rows: Sequence[Sequence[EvidenceHit]],
        verdicts: Sequence[Verdict],
        options: VerifyOptions,
        collection: str,
        cache: bool = True,
    ) -> list[Verdict]:
        """``verdicts`` with those this judge is unsure of read again by the second verifier
        on the same evidence (``rows``, already the top k): the more confident of the two
        verdicts is given, noted in its ``second_opinion``, with the second verifier's time
        per claim under ``SECOND_OPINION_TIMING``. Unchanged without a second verifier.
        ``cache=False``: the second verifier does not use the NLI cache."""
        second = self.second
        if second is None:
            return list(verdicts)
        todo = unsure([v.confidence for v in verdicts], [bool(row) for row in rows], second.below)
        if not todo:
            return list(verdicts)
        t0 = time.perf_counter()
        judge = second.judge()
        if not cache:
            judge = replace(judge, nli_cache=None)
        again = judge.judge_many(
            [claims[i] for i in todo], [rows[i] for i in todo], options, collection, {}
        )
        share = (time.perf_counter() - t0) * 1000 / len(todo)
        result = list(verdicts)
        for i, other in zip(todo, again, strict=True):
            first = verdicts[i]
            adopted = prefer_second(first.confidence, other.confidence)
            chosen = other if adopted else first
            result[i] = replace(
                chosen,
                timings_ms={**first.timings_ms, SECOND_OPINION_TIMING: share},
                second_opinion=SecondOpinionNote(second.name, adopted),
            )
        return result

    def conclude(
        self,
        claim: str,
        row: Sequence[EvidenceHit],
        scores: Sequence[NLIScores],
        options: VerifyOptions,
        collection: str,
        timings_ms: dict[str, float],
        joined: NLIScores | None = None,
    ) -> Verdict:
        """Aggregate one claim's pair scores (and its joined reading's, ``joined``) into its
        verdict, the carrying evidence first."""
        a0 = time.perf_counter()
        weighed, similarities = with_joined(
            scores, [h.similarity for h in row], joined, options.joined_evidence
        )
        result = calibrate(
            aggregate(weighed, similarities, options.strategy, options.threshold, options.decisive),
            self.calibration,
            max(similarities) if similarities else None,
        )
        evidence = tuple(
            sorted(
                (
                    ScoredEvidence(h, s, read_with(h, options.evidence_context))
                    for h, s in zip(row, scores, strict=True)
                ),
                key=lambda e: _relevance(e, result.label),
                reverse=True,
            )
        )
        a1 = time.perf_counter()
        return Verdict(
            claim=claim,
            label=result.label,
            confidence=result.confidence,
            scores=result.scores,
            evidence=evidence,
            strategy=options.strategy,
            collection=collection,
            timings_ms={**timings_ms, "aggregation": (a1 - a0) * 1000},
        )

    def score_joined(
        self,
        claims: Sequence[str],
        rows: Sequence[Sequence[EvidenceHit]],
        options: VerifyOptions,
    ) -> list[NLIScores | None]:
        """Each claim's scores against its evidence joined into one premise (None where the
        joined reading is off or the claim has no evidence); one NLI call, no cache (the
        joined premise has no evidence id)."""
        if options.joined_evidence == "off":
            return [None] * len(claims)
        wanted = [i for i, row in enumerate(rows) if row]
        pairs = [(joined_premise(rows[i], options.evidence_context), claims[i]) for i in wanted]
        scored = dict(zip(wanted, self.nli.predict(pairs) if pairs else [], strict=True))
        return [scored.get(i) for i in range(len(claims))]

    def score(
        self,
        claims: Sequence[str],
        hits: Sequence[Sequence[EvidenceHit]],
        context: EvidenceContext = "sentence",
    ) -> list[NLIScores]:
        """NLI scores for every (premise, claim) pair, reading pairs scored before from the
        cache; ``sentence+title`` averages the scores of the two readings (one reading where
        the document has no title)."""
        if context == "sentence+title":
            plain = self.score(claims, hits, "sentence")
            with_titles = [[h for h in row if has_title(h)] for row in hits]
            titled_scores = iter(self.score(claims, with_titles, "title"))
            flat = [h for row in hits for h in row]
            return [
                mean_scores(score, next(titled_scores)) if has_title(h) else score
                for h, score in zip(flat, plain, strict=True)
            ]
        pairs = [
            (premise(h, context), claim)
            for claim, row in zip(claims, hits, strict=True)
            for h in row
        ]
        if self.nli_cache is None:
            return self.nli.predict(pairs)
        keys = [
            (h.evidence_id, claim_key(claim))
            for claim, row in zip(claims, hits, strict=True)
            for h in row
        ]
        # Scores differ slightly between backends (fp32 vs int8): keep them apart.
        model_key = self.nli_cache_key or f"{self.nli.name}/{self.nli.backend}"
        if context != "sentence":  # another premise for the same evidence id
            model_key += f"/{context}"
        known = self.nli_cache.cached_scores(model_key, keys)
        todo = [i for i, key in enumerate(keys) if key not in known]
        fresh = self.nli.predict([pairs[i] for i in todo]) if todo else []
        self.nli_cache.save_scores(
            model_key, [(*keys[i], s) for i, s in zip(todo, fresh, strict=True)]
        )
        scored = dict(zip(todo, fresh, strict=True))
        return [scored[i] if i in scored else known[key] for i, key in enumerate(keys)]


T = TypeVar("T")


def same_model(model: T) -> T:
    """A model unwrapped (the default of ``JudgeRecipe.wrap``)."""
    return model


@dataclass(frozen=True)
class JudgeRecipe:
    """What a second verifier's judge is built from on first use, handed over whole by the
    composition root: ``load`` loads its model (``ml.loading.build_nli`` with its settings),
    ``wrap`` puts the service's micro-batcher in front of it, ``nli_cache`` (with a key named
    by the loaded weights) and ``calibration`` are its own."""

    load: Callable[[], LoadedNLIModel]
    calibration: Calibration = field(default_factory=Calibration)
    nli_cache: NLICache | None = None
    wrap: Callable[[LoadedNLIModel], NLIModel] = same_model

    def __call__(self) -> Judge:
        nli = self.load()
        key = nli_cache_key(nli) if self.nli_cache is not None else None
        return Judge(self.wrap(nli), self.nli_cache, key, self.calibration)


class SecondOpinion:
    """The verifier that reads again the claims the first one is unsure of: the first
    verdict's confidence is below ``below`` (see ``verify.second_opinion``). Its judge is
    built on first use (``build``), once, so a run whose every verdict is sure never loads
    the second model."""

    def __init__(self, name: str, below: float, build: Callable[[], Judge]) -> None:
        self.name = name
        self.below = below
        self._build = build
        self._judge: Judge | None = None
        self._lock = threading.Lock()

    def judge(self) -> Judge:
        """The second verifier's judge (its model loaded on the first call)."""
        with self._lock:
            if self._judge is None:
                self._judge = self._build()
            return self._judge

    @property
    def loaded(self) -> bool:
        return self._judge is not None


def given_hits(texts: Sequence[str]) -> list[EvidenceHit]:
    """Given evidence texts in the shape of retrieved sentences of similarity 1, each distinct
    text once."""
    hits = []
    for text in texts:
        if not isinstance(text, str):
            raise InvalidInputError("evidence must be text")
        check_characters(text, "the evidence")
        if text.strip():
            text = text.strip()
            hits.append(EvidenceHit(0, 0, text, 0, len(text), similarity=1.0))
    return distinct_hits(hits)


def claim_key(claim: str) -> str:
    """The cache key of a claim's text."""
    return hashlib.sha256(claim.encode()).hexdigest()


def _relevance(evidence: ScoredEvidence, label: Label) -> float:
    """Order cited evidence: the sentences that carry the verdict first."""
    scores = evidence.scores
    if label is Label.SUPPORTED:
        return scores.entailment
    if label is Label.REFUTED:
        return scores.contradiction
    return evidence.hit.similarity

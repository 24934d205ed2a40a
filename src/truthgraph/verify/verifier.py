"""Verifier: claim -> embedding -> vector search -> NLI -> aggregation -> persisted verdict."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from truthgraph.domain import (
    EvidenceContext,
    EvidenceHit,
    JoinedEvidence,
    Label,
    NLIScores,
    ScoredEvidence,
    SecondOpinionNote,
    Strategy,
    Verdict,
)
from truthgraph.errors import ConfigError, InvalidInputError
from truthgraph.ports import Collection, Embedder, EvidenceStore, NLICache, NLIModel, SearchParams
from truthgraph.premise import has_title, mean_scores, premise
from truthgraph.text import check_text
from truthgraph.verify.aggregate import aggregate
from truthgraph.verify.calibration import Calibration, calibrate
from truthgraph.verify.distinct import SPARE_FACTOR, distinct_hits
from truthgraph.verify.fusion import reciprocal_rank_fusion
from truthgraph.verify.joined import joined_premise, rerank, with_joined
from truthgraph.verify.second_opinion import SECOND_OPINION_TIMING, prefer_second, unsure

GIVEN_EVIDENCE = "(given evidence)"  # the collection of verdicts from ``verify_against``
MAX_SEARCH = 400  # the most hits one search asks for (top_k is at most 200)


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """Per-call verification options."""

    top_k: int = 5
    strategy: Strategy = Strategy.WEIGHTED_VOTE
    threshold: float = 0.6
    min_similarity: float = 0.0
    ef_search: int = 40
    probes: int = 10
    max_claim_chars: int = 2000
    persist: bool = True
    evidence_context: EvidenceContext = "title"
    hybrid: bool = False  # fuse vector and full-text search (reciprocal rank fusion)
    joined_evidence: JoinedEvidence = "off"  # also read the top-k joined (verify/joined.py)
    rerank_depth: int = 0  # score this many hits, keep the top_k most decisive (0: off)


def clean_claim(claim: str, max_chars: int) -> str:
    """The claim with its whitespace collapsed; InvalidInputError if empty, too long or not
    clean text."""
    if not isinstance(claim, str):
        raise InvalidInputError("a claim must be text")
    check_text(claim, "the claim")
    text = " ".join(claim.split())
    if not text:
        raise InvalidInputError("the claim is empty")
    if len(text) > max_chars:
        raise InvalidInputError(
            f"the claim is {len(text)} characters long; the limit is {max_chars}"
        )
    return text


class Verifier:
    """Verifies claims against one collection of evidence.

    >>> verdict = verifier.verify("Fox 2000 Pictures released the film Soul Food.")
    >>> verdict.label
    <Label.SUPPORTED: 'SUPPORTED'>
    """

    def __init__(
        self,
        embedder: Embedder,
        nli: NLIModel,
        store: EvidenceStore,
        options: VerifyOptions,
        nli_cache: NLICache | None = None,
        nli_cache_key: str | None = None,
        calibration: Calibration | None = None,
        second: SecondOpinion | None = None,
    ) -> None:
        """``nli_cache_key`` names the verifier's exact weights in the NLI cache (default: its
        name and backend); ``calibration`` adjusts weighted-vote verdicts (``calibration``);
        ``second`` reads again the claims this verifier is unsure of (``SecondOpinion``)."""
        self.embedder = embedder
        self.nli = nli
        self.store = store
        self.options = options
        self.nli_cache = nli_cache
        self.nli_cache_key = nli_cache_key
        self.calibration = calibration or Calibration()
        self.second = second

    def verify(
        self, claim: str, collection: str = "default", options: VerifyOptions | None = None
    ) -> Verdict:
        """Verify one claim; see ``verify_many``."""
        return self.verify_many([claim], collection, options)[0]

    def verify_many(
        self,
        claims: Sequence[str],
        collection: str = "default",
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]:
        """Verify claims in batches (one embedding call and one NLI call per batch).

        Every claim is validated before any work starts. ``options`` replaces the verifier's
        defaults for this call (build it with ``verifier.options_with(top_k=5)``).
        """
        options = options or self.options
        texts = [clean_claim(c, options.max_claim_chars) for c in claims]
        target = self.store.get_collection(collection)
        if target.embedding_model != self.embedder.name:
            raise ConfigError(
                f"collection {collection!r} was embedded with {target.embedding_model}; "
                f"the configured embedding model is {self.embedder.name}"
            )
        verdicts: list[Verdict] = []
        params = search_params(options)
        for begin in range(0, len(texts), batch_claims):
            batch = texts[begin : begin + batch_claims]
            share = 1.0 / len(batch)
            t0 = time.perf_counter()
            vectors = self.embedder.embed(batch)
            t1 = time.perf_counter()
            hits = retrieve(self.store, target, batch, vectors, options, params)
            t2 = time.perf_counter()
            judged = self.judge().judge_many(
                batch,
                hits,
                options,
                collection,
                {"embedding": (t1 - t0) * 1000 * share, "retrieval": (t2 - t1) * 1000 * share},
            )
            for verdict in judged:
                verdicts.append(self.finish(verdict, options))
            if progress is not None:
                progress(len(verdicts), len(texts))
        return verdicts

    def judge(self) -> Judge:
        """The NLI half of this verifier (scoring, aggregation), as its own part."""
        return Judge(self.nli, self.nli_cache, self.nli_cache_key, self.calibration, self.second)

    def finish(self, verdict: Verdict, options: VerifyOptions) -> Verdict:
        """Store ``verdict`` when ``options.persist`` (with its database time, and the name of
        the verifier that gave it), and total its timings."""
        decided = self.nli.name
        if verdict.second_opinion is not None and verdict.second_opinion.adopted:
            decided = verdict.second_opinion.verifier
        return persist_verdict(self.store, verdict, options, self.embedder.name, decided)

    def verify_against(
        self, claim: str, evidence: Sequence[str], options: VerifyOptions | None = None
    ) -> Verdict:
        """Verify one claim against the evidence given with it; see ``verify_against_many``."""
        return self.verify_against_many([(claim, evidence)], options)[0]

    def verify_against_many(
        self,
        items: Sequence[tuple[str, Sequence[str]]],
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]:
        """Verify each claim against its own evidence texts: NLI and aggregation, no retrieval.

        The same scoring and aggregation as ``verify_many``, with every evidence text taking
        the place of a retrieved sentence of similarity 1 (so none outweighs another). A claim
        with no evidence gets NOT_ENOUGH_INFO. Nothing is stored and the NLI cache is not
        used (the texts have no evidence ids): the cited evidence has ids 0 and the verdict's
        collection is ``GIVEN_EVIDENCE``.
        """
        options = options or self.options
        claims = [clean_claim(claim, options.max_claim_chars) for claim, _ in items]
        rows = [given_hits(evidence) for _, evidence in items]
        verdicts: list[Verdict] = []
        for begin in range(0, len(claims), batch_claims):
            batch = claims[begin : begin + batch_claims]
            batch_rows = rows[begin : begin + batch_claims]
            t0 = time.perf_counter()
            pairs = [
                (h.text, claim) for claim, row in zip(batch, batch_rows, strict=True) for h in row
            ]
            scores = self.nli.predict(pairs) if pairs else []
            joined = self.judge().score_joined(batch, batch_rows, options)
            share = (time.perf_counter() - t0) * 1000 / len(batch)
            offset = 0
            concluded = []
            for claim, row, joined_score in zip(batch, batch_rows, joined, strict=True):
                claim_scores = scores[offset : offset + len(row)]
                offset += len(row)
                concluded.append(
                    self.judge().conclude(
                        claim,
                        row,
                        claim_scores,
                        options,
                        GIVEN_EVIDENCE,
                        {"nli": share},
                        joined_score,
                    )
                )
            # the given texts have no evidence ids: the second verifier reads them uncached
            for verdict in self.judge().reconsider(
                batch, batch_rows, concluded, options, GIVEN_EVIDENCE, cache=False
            ):
                verdict.timings_ms["total"] = sum(verdict.timings_ms.values())
                verdicts.append(verdict)
            if progress is not None:
                progress(len(verdicts), len(claims))
        return verdicts

    def options_with(
        self,
        *,
        top_k: int | None = None,
        strategy: Strategy | str | None = None,
        persist: bool | None = None,
        ef_search: int | None = None,
        probes: int | None = None,
    ) -> VerifyOptions:
        """The verifier's default options with some replaced (None keeps the default).

        ``ef_search`` (HNSW) and ``probes`` (IVFFlat) trade search time for recall per query.
        """
        return replace_options(
            self.options,
            top_k=top_k,
            strategy=strategy,
            persist=persist,
            ef_search=ef_search,
            probes=probes,
        )


def replace_options(
    options: VerifyOptions,
    *,
    top_k: int | None = None,
    strategy: Strategy | str | None = None,
    persist: bool | None = None,
    ef_search: int | None = None,
    probes: int | None = None,
) -> VerifyOptions:
    """``options`` with some replaced (None keeps the value), each checked; see
    ``Verifier.options_with``."""
    for name, value in (("ef_search", ef_search), ("probes", probes)):
        if value is not None and not 1 <= value <= 1000:
            raise InvalidInputError(f"{name} must be between 1 and 1000")
    if ef_search is not None:
        options = replace(options, ef_search=ef_search)
    if probes is not None:
        options = replace(options, probes=probes)
    if top_k is not None:
        if not 1 <= top_k <= 200:
            raise InvalidInputError("top_k must be between 1 and 200")
        options = replace(options, top_k=top_k)
    if strategy is not None:
        try:
            options = replace(options, strategy=Strategy(strategy))
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown strategy {strategy!r}; use one of " + ", ".join(s.value for s in Strategy)
            ) from exc
    if persist is not None:
        options = replace(options, persist=persist)
    return options


def retrieve(
    store: EvidenceStore,
    target: Collection,
    texts: Sequence[str],
    vectors: np.ndarray,
    options: VerifyOptions,
    params: SearchParams | None = None,
) -> list[list[EvidenceHit]]:
    """The evidence for each claim: vector search (fused with full-text search when
    ``options.hybrid``), above ``options.min_similarity``, distinct texts, top k (or the
    deeper ``options.rerank_depth``, which the judge narrows to the top k)."""
    if params is None:
        params = search_params(options)
    hits = store.search(target, vectors, params)
    if options.hybrid:
        lexical = store.lexical_search(target, texts, vectors, params.top_k)
        hits = [
            [r.hit for r in reciprocal_rank_fusion(v, w, len(v) + len(w))]
            for v, w in zip(hits, lexical, strict=True)
        ]
    return [
        distinct_hits((h for h in row if h.similarity >= options.min_similarity), _depth(options))
        for row in hits
    ]


def search_params(options: VerifyOptions) -> SearchParams:
    """What one search asks for: spare hits, as repeated texts are dropped and the rest fill
    the top k."""
    return SearchParams(
        min(_depth(options) * SPARE_FACTOR, MAX_SEARCH), options.ef_search, options.probes
    )


def _depth(options: VerifyOptions) -> int:
    """How many hits a claim's evidence holds before the rerank: the top k, or more."""
    return max(options.top_k, options.rerank_depth)


def persist_verdict(
    store: EvidenceStore,
    verdict: Verdict,
    options: VerifyOptions,
    embedding_model: str,
    nli_model: str,
    origin: str | None = None,
) -> Verdict:
    """Store ``verdict`` when ``options.persist`` and total its timings (the saved row gets
    them whole, database and total, so ``show`` and GET /claims/{id} see what the caller
    saw). ``origin``: stored at most once under that name (a retried distributed task)."""
    if not options.persist:
        verdict.timings_ms["total"] = sum(verdict.timings_ms.values())
        return verdict
    d0 = time.perf_counter()
    verdict = store.save_verdict(verdict, embedding_model, nli_model, origin)
    verdict.timings_ms["database"] = (time.perf_counter() - d0) * 1000
    verdict.timings_ms["total"] = sum(verdict.timings_ms.values())
    if verdict.verdict_id is not None:
        store.save_timings(verdict.verdict_id, verdict.timings_ms)
    return verdict


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
            aggregate(weighed, similarities, options.strategy, options.threshold),
            self.calibration,
            max(similarities) if similarities else None,
        )
        evidence = tuple(
            sorted(
                (ScoredEvidence(h, s) for h, s in zip(row, scores, strict=True)),
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
        check_text(text, "the evidence")
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

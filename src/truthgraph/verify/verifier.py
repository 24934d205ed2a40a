"""Verifier: claim -> embedding -> vector search -> NLI -> aggregation -> persisted verdict.

It orchestrates the stages, each in its own module: ``options`` (what a call asks for),
``retrieve`` (the evidence), ``judge`` (NLI, aggregation and the second opinion) and
``persist`` (the stored verdict). A distributed run (``distributed/verify.py``) runs the same
stages on Ray.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from truthgraph.domain import Strategy, Verdict
from truthgraph.ports import Embedder, EvidenceStore, NLICache, NLIModel
from truthgraph.verify.calibration import Calibration
from truthgraph.verify.judge import Judge, SecondOpinion, given_hits
from truthgraph.verify.options import VerifyOptions, clean_claim, replace_options
from truthgraph.verify.persist import persist_verdict
from truthgraph.verify.retrieve import embedded_with, retrieve, search_params

GIVEN_EVIDENCE = "(given evidence)"  # the collection of verdicts from ``verify_against``


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
        target = embedded_with(self.store.get_collection(collection), self.embedder.name)
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

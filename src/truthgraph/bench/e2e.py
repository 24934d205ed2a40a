"""End-to-end performance: claims through the real pipeline and database, stage by stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine
from truthgraph.bench.texts import DEFAULT_CLAIMS, DEFAULT_CORPUS, claims
from truthgraph.db.roles import EvidenceDatabase
from truthgraph.measures.stats import summary_ms
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import RetrievalSettings
from truthgraph.verify.second_opinion import SECOND_OPINION_TIMING
from truthgraph.verify.verifier import Verifier

Parts = tuple[EvidenceDatabase, LoadedEmbedder, LoadedNLIModel]  # from ``wiring.Parts``

TARGET_S = 60.0  # the design document's target: p50 under a minute per claim
OUR_TARGET_P50_MS = 150.0  # ours: p50 under 150 ms per claim at top-10, caches off
OUR_TARGET_TOP_K = 10
# verified once before timing (not one of the timed claims, so nothing it warms is reused)
WARMUP_CLAIM = "The warm-up claim is verified once and never timed."
STAGES = ("embedding", "retrieval", "nli", "aggregation", "database", SECOND_OPINION_TIMING)


def run_e2e(
    load_parts: Callable[[], Parts],
    verifier_for: Callable[[Parts], Verifier],
    retrieval: RetrievalSettings,
    num_claims: int = 5,
    evidence_count: int = 10,
    warmup: bool = False,
    corpus: Path = DEFAULT_CORPUS,
    claims_path: Path = DEFAULT_CLAIMS,
    collection: str = "bench-e2e",
) -> dict[str, Any]:
    """Ingest ``corpus`` into ``collection`` (skipped if already there) and verify claims one
    at a time with ``evidence_count`` evidence sentences; time every stage.

    With ``warmup`` a claim that is not among the timed ones is verified first, untimed.
    Our target (p50 < 150 ms) is judged only at top-10 (``passed_our_target`` is None
    otherwise); build the verifier without caches for it to mean anything.

    ``load_parts`` opens the store and loads both models (timed as the model load);
    ``verifier_for`` builds the verifier over them."""
    from truthgraph.ingest.pipeline import ingest, load_documents

    load_started = time.perf_counter()
    parts = load_parts()
    store, embedder, nli = parts
    load_s = time.perf_counter() - load_started
    try:
        files, documents = load_documents([corpus])
        target = store.ensure_collection(collection, embedder.name, embedder.dimension, retrieval)
        ingest(documents, target, store, embedder, files=files)
        verifier = verifier_for(parts)
        options = verifier.options_with(top_k=evidence_count)
        texts = claims(claims_path)
        texts = (texts * (num_claims // len(texts) + 1))[:num_claims]
        if warmup:
            verifier.verify(WARMUP_CLAIM, collection, options)
            if verifier.second is not None:  # its model loads now, untimed, as in the service
                verifier.second.judge()
        per_claim: list[dict[str, Any]] = []
        for text in texts:
            started = time.perf_counter()
            verdict = verifier.verify(text, collection, options)
            wall_ms = (time.perf_counter() - started) * 1000
            stages = {k: verdict.timings_ms.get(k, 0.0) for k in STAGES}
            stages["overhead"] = max(0.0, wall_ms - sum(stages.values()))
            per_claim.append(
                {
                    "wall_ms": wall_ms,
                    "stages_ms": stages,
                    "verdict": verdict.label,
                    "second_opinion": verdict.second_opinion is not None,
                }
            )
        second = verifier.second.name if verifier.second is not None else None
    finally:
        store.close()
    walls: list[float] = [float(c["wall_ms"]) for c in per_claim]
    total = sum(walls)
    breakdown = {
        stage: {
            "total_ms": round(sum(c["stages_ms"][stage] for c in per_claim), 2),
            "share": round(sum(c["stages_ms"][stage] for c in per_claim) / total, 4)
            if total
            else 0.0,
        }
        for stage in (*STAGES, "overhead")
    }
    latency = summary_ms(walls)
    return {
        "machine": describe_machine(),
        "models": {"embedding": embedder.name, "nli": nli.name, "second": second},
        "second_opinion_share": sum(c["second_opinion"] for c in per_claim) / len(per_claim)
        if per_claim
        else 0.0,
        "num_claims": num_claims,
        "evidence_count": evidence_count,
        "warmup": warmup,
        "model_load_s": round(load_s, 2),
        "latency_ms": latency,
        "breakdown": breakdown,
        "target_s": TARGET_S,
        "passed_design_target": latency["p50"] / 1000 < TARGET_S,
        "our_target_p50_ms": OUR_TARGET_P50_MS,
        "our_target_top_k": OUR_TARGET_TOP_K,
        "passed_our_target": latency["p50"] < OUR_TARGET_P50_MS
        if evidence_count == OUR_TARGET_TOP_K
        else None,
    }

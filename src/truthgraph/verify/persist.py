"""The last stage: a verdict stored (when the options say so) and its timings totalled."""

from __future__ import annotations

import time

from truthgraph.domain import Verdict
from truthgraph.ports import EvidenceStore
from truthgraph.verify.options import VerifyOptions


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

"""measure_core: the core engine's headline figures (``truthgraph bench core``).

- ingestion rate: sentences/s for a corpus into a fresh collection;
- claim-to-verdict latency through the database at top-10 evidence, caches off, after one
  untimed warm-up claim: p50 / p95 / p99 over the claims;
- RSS of the process after ingesting and verifying.

The cold start of a fresh process (``bench.coldstart``) is measured by the caller, before
this process loads its models.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from truthgraph.bench.e2e import WARMUP_CLAIM, Parts
from truthgraph.bench.machine import describe_machine
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import RawDocument
from truthgraph.measures.stats import summary_ms
from truthgraph.settings import RetrievalSettings
from truthgraph.verify.verifier import Verifier

TOP_K = 10


def scifact_documents(data_dir: Path, limit: int) -> list[RawDocument]:
    """The first ``limit`` SciFact abstracts, one document each."""
    from truthgraph.data.datasets import load_scifact_corpus

    abstracts = list(load_scifact_corpus(data_dir).items())[:limit]
    return [
        RawDocument(" ".join(s.strip() for s in sentences), title, "SciFact", None, doc)
        for doc, (title, sentences) in abstracts
    ]


def measure_core(
    load_parts: Callable[[], Parts],
    verifier_for: Callable[[Parts], Verifier],
    retrieval: RetrievalSettings,
    corpus: Path,
    claims_path: Path,
    max_claims: int = 100,
    ingest_documents: list[RawDocument] | None = None,
) -> dict[str, Any]:
    """Ingest ``corpus`` into the collection ``measure`` and verify the claims of
    ``claims_path`` (``{"claim"}`` per line) one at a time against it. The ingestion figures
    are those of ``corpus``, or of ``ingest_documents`` (ingested into ``measure-ingest``)
    when given."""
    from truthgraph.ingest.pipeline import ingest, load_documents

    parts = load_parts()
    store, embedder, _ = parts
    try:
        files, documents = load_documents([corpus])
        other = None
        if ingest_documents is not None:
            target = store.ensure_collection(
                "measure-ingest", embedder.name, embedder.dimension, retrieval
            )
            other = ingest(ingest_documents, target, store, embedder, files=1)
        collection = store.ensure_collection(
            "measure", embedder.name, embedder.dimension, retrieval
        )
        report = ingest(documents, collection, store, embedder, files=files)
        report = other or report
        verifier = verifier_for(parts)
        options = verifier.options_with(top_k=TOP_K)
        claims = [str(row["claim"]) for _, row in read_objects(claims_path)][:max_claims]
        verifier.verify(WARMUP_CLAIM, "measure", options)
        latencies = []
        for claim in claims:
            started = time.perf_counter()
            verifier.verify(claim, "measure", options)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    return {
        "machine": describe_machine(),
        "rss_mb_after_ingest_and_verify": round(psutil.Process().memory_info().rss / 2**20, 1),
        "ingest": {
            "documents": report.documents_added,
            "sentences": report.sentences_added,
            "seconds": round(report.seconds, 2),
            "sentences_per_s": round(report.sentences_per_second, 1),
        },
        "verify_top10_through_db_ms": {"claims": len(latencies), **summary_ms(latencies)},
    }

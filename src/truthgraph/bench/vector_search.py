"""Vector search latency and recall@10 against exact search, for HNSW and IVFFlat."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from truthgraph.db.roles import EvidenceDatabase
from truthgraph.domain import RawDocument, Sentence
from truthgraph.errors import NotFoundError
from truthgraph.measures.stats import summary_ms
from truthgraph.ports import Embedder, SearchParams
from truthgraph.settings import IndexVectorType, RetrievalSettings

IndexType = Literal["hnsw", "ivfflat"]


def corpus_vectors(
    embedder: Embedder, sentences: Sequence[str], size: int, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """``size`` vectors: embeddings of real sentences; past the number of distinct sentences,
    each further vector is a real one with Gaussian noise added and re-normalised (said so in
    the report), so the index holds no exact duplicates."""
    base_count = min(size, len(sentences))
    base = embedder.embed(list(sentences[:base_count]))
    if size <= base_count:
        return list(sentences[:size]), base
    rng = np.random.default_rng(seed)
    extra = size - base_count
    picks = rng.integers(0, base_count, extra)
    noise = rng.normal(0.0, 0.35 / np.sqrt(base.shape[1]), (extra, base.shape[1]))
    synthetic = base[picks] + noise.astype(np.float32)
    synthetic /= np.linalg.norm(synthetic, axis=1, keepdims=True)
    texts = list(sentences[:base_count]) + [f"{sentences[i]} [variant]" for i in picks]
    return texts, np.vstack([base, synthetic]).astype(np.float32)


def _work_mem(count: int) -> str:
    """Enough maintenance memory for an in-memory HNSW build of ``count`` vectors."""
    return f"{max(1, -(-count * 3 // 1_000_000))}GB"


def load_collection(
    store: EvidenceDatabase,
    name: str,
    texts: Sequence[str],
    vectors: np.ndarray,
    retrieval: RetrievalSettings,
    model_name: str,
    chunk: int = 2000,
) -> tuple[Any, float, float]:
    """Create ``name`` afresh, bulk-load the vectors without an index, then build it.

    Returns the collection, the load time and the index build time in seconds.
    """
    with contextlib.suppress(NotFoundError):
        store.drop_collection(name)
    collection = store.ensure_collection(name, model_name, vectors.shape[1], retrieval)
    store.drop_index(collection)
    started = time.perf_counter()
    for begin in range(0, len(texts), chunk):
        part = texts[begin : begin + chunk]
        digest = hashlib.sha256(f"{name}:{begin}".encode()).hexdigest()
        document = RawDocument(text=f"benchmark chunk {begin}", title=name)
        sentences = [Sentence(t, 0, 0) for t in part]
        store.add_documents(
            collection, [(document, digest, sentences)], vectors[begin : begin + chunk]
        )
    loaded = time.perf_counter() - started
    store.rebuild_index(collection, maintenance_work_mem=_work_mem(len(texts)))
    indexed = time.perf_counter() - started - loaded
    return collection, loaded, indexed


def benchmark_index(
    store: EvidenceDatabase,
    collection: Any,
    vectors: np.ndarray,
    queries: np.ndarray,
    params: SearchParams,
    ids_in_order: Sequence[int],
    epsilon: float = 0.01,
) -> dict[str, Any]:
    """Latency of ``store.search`` per query, and recall@k against exact cosine search.

    ``recall_at_k`` counts the exact top-k found. ``recall_at_k_eps`` (ann-benchmarks'
    epsilon recall) counts a hit whose cosine distance is within ``1 + epsilon`` of the exact
    k-th distance: it forgives swaps among near-ties, as in a tight group of near-duplicates.
    """
    scores = queries @ vectors.T
    exact = np.argpartition(-scores, params.top_k, axis=1)[:, : params.top_k]
    kth_distance = 1.0 - np.take_along_axis(scores, exact, axis=1).min(axis=1)
    position = {evidence_id: i for i, evidence_id in enumerate(ids_in_order)}
    latencies = []
    recalls = []
    eps_recalls = []
    store.search(collection, queries[:1], params)  # warm
    for row, query in enumerate(queries):
        started = time.perf_counter()
        [hits] = store.search(collection, query[None, :], params)
        latencies.append((time.perf_counter() - started) * 1000)
        found = [position[h.evidence_id] for h in hits]
        recalls.append(len(set(found) & set(exact[row].tolist())) / params.top_k)
        limit = kth_distance[row] * (1 + epsilon) + 1e-6
        close = sum(1 for i in found if 1.0 - float(scores[row, i]) <= limit)
        eps_recalls.append(min(close, params.top_k) / params.top_k)
    return {
        "latency_ms": summary_ms(latencies),
        "recall_at_k": round(float(np.mean(recalls)), 4),
        "recall_at_k_eps": round(float(np.mean(eps_recalls)), 4),
        "epsilon": epsilon,
    }


def run_vector_search_benchmark(
    store: EvidenceDatabase,
    embedder: Embedder,
    sentences: Sequence[str],
    query_texts: Sequence[str],
    corpus_size: int,
    index_types: Sequence[IndexType] = ("hnsw", "ivfflat"),
    ef_search_values: Sequence[int] = (40, 100),
    probes_values: Sequence[int] = (10, 20),
    top_k: int = 10,
    keep: bool = False,
    hnsw_builds: Sequence[tuple[int, int]] = ((16, 64),),
    vector_types: Sequence[IndexVectorType] = ("vector",),
) -> dict[str, Any]:
    """Build one collection per index type (each HNSW ``(m, ef_construction)`` and each
    vector type) with ``corpus_size`` vectors and measure it."""
    texts, vectors = corpus_vectors(embedder, sentences, corpus_size)
    queries = embedder.embed(list(query_texts))
    results: list[dict[str, Any]] = []
    builds: list[tuple[IndexType, RetrievalSettings]] = []
    for index_type in index_types:
        if index_type == "hnsw":
            builds += [
                (
                    "hnsw",
                    RetrievalSettings(
                        index_type="hnsw",
                        hnsw_m=m,
                        hnsw_ef_construction=efc,
                        index_vector_type=vector_type,
                    ),
                )
                for m, efc in hnsw_builds
                for vector_type in vector_types
            ]
        else:
            lists = max(1, min(1000, int(np.sqrt(corpus_size))))
            builds.append(("ivfflat", RetrievalSettings(index_type="ivfflat", ivfflat_lists=lists)))
    for index_type, retrieval in builds:
        name = f"bench-{index_type}-{corpus_size}"
        collection, load_s, index_s = load_collection(
            store, name, texts, vectors, retrieval, embedder.name
        )
        ids = store.evidence_ids_in_order(collection)
        index_mb = round(store.index_size(collection) / 2**20, 1)
        settings_list = (
            [SearchParams(top_k, ef, 10) for ef in ef_search_values]
            if index_type == "hnsw"
            else [SearchParams(top_k, 40, p) for p in probes_values]
        )
        for params in settings_list:
            measured = benchmark_index(store, collection, vectors, queries, params, ids)
            results.append(
                {
                    "index": index_type,
                    "index_params": collection.index_params,
                    "ef_search" if index_type == "hnsw" else "probes": (
                        params.ef_search if index_type == "hnsw" else params.probes
                    ),
                    "load_s": round(load_s, 2),
                    "index_build_s": round(index_s, 2),
                    "index_mb": index_mb,
                    **measured,
                }
            )
        if not keep:
            store.drop_collection(name)
    return {
        "corpus_size": corpus_size,
        "real_sentence_vectors": min(corpus_size, len(sentences)),
        "noisy_copies": max(0, corpus_size - len(sentences)),
        "queries": len(queries),
        "top_k": top_k,
        "dimension": int(vectors.shape[1]),
        "results": results,
    }

"""Embedding and NLI throughput benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

import psutil

from truthgraph.ports import Embedder, NLIModel


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss / 2**20)


def benchmark_embeddings(
    embedder: Embedder, texts: Sequence[str], batch_sizes: Sequence[int], repeats: int = 3
) -> dict[str, Any]:
    """Texts/s at each batch size: the median of ``repeats`` runs over ``texts``."""
    embedder.embed(list(texts[: min(len(texts), 32)]))  # warm-up
    words = statistics.fmean(len(t.split()) for t in texts)
    rows: list[dict[str, Any]] = []
    for batch_size in batch_sizes:
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            embedder.embed(list(texts), batch_size=batch_size)
            runs.append(time.perf_counter() - started)
        seconds = statistics.median(runs)
        rows.append(
            {
                "batch_size": batch_size,
                "texts_per_s": round(len(texts) / seconds, 1),
                "seconds_median": round(seconds, 3),
                "runs_s": [round(r, 3) for r in runs],
                "rss_mb": round(_rss_mb(), 1),
            }
        )
    best = max(rows, key=lambda r: r["texts_per_s"])
    return {
        "model": embedder.name,
        "num_texts": len(texts),
        "mean_words_per_text": round(words, 1),
        "results": rows,
        "best": best,
    }


def benchmark_nli(
    nli: NLIModel, pairs: Sequence[tuple[str, str]], batch_size: int, repeats: int = 3
) -> dict[str, Any]:
    """Pairs/s at one batch size (median of ``repeats`` runs), and single-pair latency."""
    nli.predict(list(pairs[: min(len(pairs), 8)]), batch_size=batch_size)  # warm-up
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        nli.predict(list(pairs), batch_size=batch_size)
        runs.append(time.perf_counter() - started)
    single = []
    for pair in pairs[: min(len(pairs), 20)]:
        started = time.perf_counter()
        nli.predict([pair])
        single.append((time.perf_counter() - started) * 1000)
    seconds = statistics.median(runs)
    return {
        "model": nli.name,
        "num_pairs": len(pairs),
        "batch_size": batch_size,
        "mean_words_premise": round(statistics.fmean(len(p.split()) for p, _ in pairs), 1),
        "mean_words_hypothesis": round(statistics.fmean(len(h.split()) for _, h in pairs), 1),
        "pairs_per_s": round(len(pairs) / seconds, 1),
        "seconds_median": round(seconds, 3),
        "runs_s": [round(r, 3) for r in runs],
        "single_pair_ms_median": round(statistics.median(single), 2),
        "rss_mb": round(_rss_mb(), 1),
    }

"""optimize_batch_sizes: the throughput-optimal batch size under a memory limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import psutil

from truthgraph.bench.machine import describe_machine
from truthgraph.bench.texts import sample_pairs, sample_texts
from truthgraph.ml.batch_sizes import save_batch_size
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings

Service = Literal["embedding", "nli", "all"]


def candidate_sizes(min_batch: int, max_batch: int) -> list[int]:
    """Powers of two from ``min_batch`` to ``max_batch`` (both included)."""
    sizes = []
    size = max(1, min_batch)
    while size < max_batch:
        sizes.append(size)
        size *= 2
    sizes.append(max_batch)
    return sorted(set(sizes))


def _runner(
    load_embedder: Callable[[], LoadedEmbedder],
    load_nli: Callable[[], LoadedNLIModel],
    name: str,
    num_samples: int,
) -> Callable[[int], None]:
    """A function that runs one full pass of ``name`` at a given batch size."""
    if name == "embedding":
        embedder = load_embedder()
        texts = sample_texts(num_samples)

        def embed(size: int) -> None:
            embedder.embed(texts, batch_size=size)

        return embed
    nli = load_nli()
    pairs = sample_pairs(num_samples)

    def predict(size: int) -> None:
        nli.predict(pairs, batch_size=size)

    return predict


def optimize_batch_sizes(
    settings: Settings,
    load_embedder: Callable[[], LoadedEmbedder],
    load_nli: Callable[[], LoadedNLIModel],
    service: Service,
    min_batch: int,
    max_batch: int,
    memory_limit_mb: float,
    num_samples: int = 512,
    save: bool = True,
) -> dict[str, Any]:
    """Measure throughput at each candidate size; keep the best whose RSS stays under the limit.

    The models come from ``load_embedder`` and ``load_nli`` (the caller builds them from
    ``settings``); the best size is saved under ``settings.home`` for this device."""
    from truthgraph.ml.device import detect_device

    device = detect_device(settings.model.device)
    report: dict[str, Any] = {"machine": describe_machine(), "device": device, "services": {}}
    names = ["embedding", "nli"] if service == "all" else [service]
    for name in names:
        rows = []
        run = _runner(load_embedder, load_nli, name, num_samples)
        run(min_batch)  # warm-up
        for size in candidate_sizes(min_batch, max_batch):
            started = time.perf_counter()
            run(size)
            seconds = time.perf_counter() - started
            rss = psutil.Process().memory_info().rss / 2**20
            rows.append(
                {
                    "batch_size": size,
                    "throughput_per_s": round(num_samples / seconds, 1),
                    "rss_mb": round(rss, 1),
                    "within_memory_limit": rss <= memory_limit_mb,
                }
            )
        allowed = [r for r in rows if r["within_memory_limit"]] or rows[:1]
        best = max(allowed, key=lambda r: r["throughput_per_s"])
        saved = (
            str(save_batch_size(settings.home, device, name, int(best["batch_size"])))
            if save
            else None
        )
        report["services"][name] = {"results": rows, "optimal": best, "saved_to": saved}
    return report

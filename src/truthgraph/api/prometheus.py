"""Prometheus metrics of one app, in their own registry (no process-wide state)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Metric,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector


def peak_rss_bytes() -> float:
    """The process's peak resident set size (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak if sys.platform == "darwin" else peak * 1024)


_LATENCY_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class Metrics:
    """Request latency, per-stage latency, batch sizes, queue depth, model memory, cache hits.

    >>> metrics = Metrics()
    >>> metrics.observe_batch("nli", items=40, requests=4, seconds=0.2)
    >>> body, content_type = metrics.render()
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Histogram(
            "truthgraph_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.stages = Histogram(
            "truthgraph_stage_duration_seconds",
            "Verification latency per stage (embedding, retrieval, nli, aggregation, database)",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_items = Histogram(
            "truthgraph_batch_size_items",
            "Items (texts or pairs) per model call",
            ["model"],
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.batch_requests = Histogram(
            "truthgraph_batch_size_requests",
            "Requests merged into one model call",
            ["model"],
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.inference = Histogram(
            "truthgraph_inference_duration_seconds",
            "Duration of one batched model call",
            ["model"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._cache_counts: Callable[[], tuple[int, int]] | None = None
        r.register(_CacheCollector(self))
        self.rejected = Counter(
            "truthgraph_rejected_requests",
            "Requests turned away (overload: queue full, rate_limited, uploads: upload pool full)",
            ["reason"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "truthgraph_queue_depth",
            "Inference requests admitted and not yet answered",
            registry=r,
        )
        self.pending_items = Gauge(
            "truthgraph_batcher_pending_items",
            "Items waiting in or running through a model's micro-batcher",
            ["model"],
            registry=r,
        )
        self.model_memory = Gauge(
            "truthgraph_model_memory_bytes",
            "Parameter and buffer memory of each loaded model",
            ["model"],
            registry=r,
        )
        self.ready = Gauge(
            "truthgraph_ready", "1 once models are warm and the database is up", registry=r
        )
        self.peak_rss = Gauge(
            "truthgraph_peak_rss_bytes",
            "The most resident memory this server process has held (getrusage ru_maxrss)",
            registry=r,
        )
        self.peak_rss.set_function(peak_rss_bytes)

    def observe_batch(self, model: str, items: int, requests: int, seconds: float) -> None:
        self.batch_items.labels(model).observe(items)
        self.batch_requests.labels(model).observe(requests)
        self.inference.labels(model).observe(seconds)

    def watch_cache(self, counts: Callable[[], tuple[int, int]]) -> None:
        """Read the embedding cache's (hits, misses) when scraped."""
        self._cache_counts = counts

    def cache_counts(self) -> tuple[int, int] | None:
        return self._cache_counts() if self._cache_counts is not None else None

    def observe_stages(self, timings_ms: Mapping[str, float]) -> None:
        for stage, ms in timings_ms.items():
            if stage != "total":
                self.stages.labels(stage).observe(ms / 1000)

    def watch(
        self,
        queue_depth: Callable[[], float],
        pending: Mapping[str, Callable[[], float]],
        model_bytes: Mapping[str, float],
    ) -> None:
        """Bind the gauges that are read when scraped."""
        self.queue_depth.set_function(queue_depth)
        for model, read in pending.items():
            self.pending_items.labels(model).set_function(read)
        for model, size in model_bytes.items():
            self.model_memory.labels(model).set(size)

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _CacheCollector(Collector):
    """``truthgraph_embedding_cache_lookups_total{result="hit"|"miss"}``, read from the cache."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily(
            "truthgraph_embedding_cache_lookups",
            "Claim embedding cache lookups by result",
            labels=["result"],
        )
        counts = self._metrics.cache_counts()
        if counts is not None:
            family.add_metric(["hit"], counts[0])
            family.add_metric(["miss"], counts[1])
        yield family

    def describe(self) -> Iterable[Metric]:
        return []

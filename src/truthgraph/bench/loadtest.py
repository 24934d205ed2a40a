"""A bounded load test of ``POST /api/v1/verify`` on this machine (loopback only).

For each concurrency level it keeps that many requests in flight until a fixed number has
been sent (or a time limit passes), then reports throughput, latency percentiles and errors,
and, from the server's own ``/metrics``, how large the model batches were and how long the
NLI model spent per pair: the batching gain.

    results = asyncio.run(run_loadtest("http://127.0.0.1:8000", claims, "demo", [1, 10, 100]))
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from prometheus_client.parser import text_string_to_metric_families

from truthgraph.errors import InvalidInputError, UnavailableError
from truthgraph.measures.stats import percentile

VERIFY_PATH = "/api/v1/verify"
CLIENTS_PER_POOL = 25
"""Simulated clients that share one HTTP connection pool. httpx's pool scans all of its
connections for every request, so one pool of 1,000 spends the client's CPU on itself and
delays requests before they leave; pools of this size keep that cost flat."""


@dataclass(frozen=True, slots=True)
class LevelResult:
    """What one concurrency level measured."""

    concurrency: int
    requests: int
    ok: int
    errors: dict[str, int]
    seconds: float
    throughput_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    answered: int = 0
    overloaded_first: int = 0
    retries: int = 0
    slowest_answer_ms: float = 0.0
    answers_over_30s: int = 0
    server_peak_rss_mb: float | None = None
    client_cpu_share: float = 0.0
    """CPU seconds the load client itself used per second of the level: what it took from the
    cores it shares with the server on one machine."""
    nli_pairs_per_call: float | None = None
    nli_ms_per_pair: float | None = None
    embedding_texts_per_call: float | None = None
    cache_hits: int = 0
    cache_misses: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Summary:
    """The levels, with the gains relative to concurrency 1."""

    levels: list[LevelResult]
    single_request_throughput_per_s: float | None
    throughput_gain: dict[int, float] = field(default_factory=dict)
    model_batching_gain: dict[int, float] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "levels": [level.as_dict() for level in self.levels],
            "single_request_throughput_per_s": self.single_request_throughput_per_s,
            "throughput_gain": self.throughput_gain,
            "model_batching_gain": self.model_batching_gain,
        }


def require_loopback(url: str) -> None:
    """Refuse any target but this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise InvalidInputError(f"the load test only targets loopback addresses, not {host!r}")


def _scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = float(sample.value)
    return values


def _delta(
    before: Mapping[tuple[str, tuple[tuple[str, str], ...]], float],
    after: Mapping[tuple[str, tuple[tuple[str, str], ...]], float],
    name: str,
    **labels: str,
) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def _metrics(client: httpx.AsyncClient, base: str) -> dict[Any, float]:
    response = await client.get(base + "/metrics")
    response.raise_for_status()
    return _scrape(response.text)


async def run_level(
    clients: Sequence[httpx.AsyncClient],
    base: str,
    claims: Sequence[str],
    collection: str,
    concurrency: int,
    requests: int,
    time_limit_s: float,
    offset: int = 0,
    honour_retry_after: bool = True,
) -> LevelResult:
    """Keep ``concurrency`` verify requests in flight until ``requests`` were sent.

    With ``honour_retry_after`` a request answered 503 is sent again after its Retry-After
    (plus up to 10% jitter) until it succeeds or the level's time is up; every answer, 503s
    included, counts for the slowest answer, and the p50/p95/p99 are those of the 200s.
    """
    latencies: list[float] = []
    errors: dict[str, int] = {}
    answers: list[float] = []
    rejected_first = 0
    retries = 0
    sent = 0
    deadline = time.perf_counter() + time_limit_s
    before = await _metrics(clients[0], base)

    async def attempt(
        client: httpx.AsyncClient, body: dict[str, str]
    ) -> tuple[str | None, float | None]:
        """One POST: (None, None) for a 200, (error key, Retry-After or None) otherwise."""
        began = time.perf_counter()
        try:
            response = await client.post(base + VERIFY_PATH, json=body)
        except httpx.HTTPError as exc:
            return type(exc).__name__, None
        elapsed = (time.perf_counter() - began) * 1000
        answers.append(elapsed)
        if response.status_code == 200:
            latencies.append(elapsed)
            return None, None
        retry_after = response.headers.get("Retry-After")
        wait = float(retry_after) if retry_after and retry_after.isdigit() else None
        return f"http_{response.status_code}", wait

    async def one_worker(client: httpx.AsyncClient) -> None:
        nonlocal sent, rejected_first, retries
        while sent < requests and time.perf_counter() < deadline:
            index = offset + sent
            sent += 1
            body = {"claim": claims[index % len(claims)], "collection": collection}
            key, wait = await attempt(client, body)
            if key == "http_503" and honour_retry_after:
                rejected_first += 1
            while (
                key == "http_503"
                and honour_retry_after
                and wait is not None
                and time.perf_counter() + wait < deadline
            ):
                await asyncio.sleep(wait * (1 + 0.1 * random.random()))
                retries += 1
                key, wait = await attempt(client, body)
            if key is not None:
                errors[key] = errors.get(key, 0) + 1

    began = time.perf_counter()
    cpu_began = time.process_time()
    await asyncio.gather(
        *(one_worker(clients[i // CLIENTS_PER_POOL % len(clients)]) for i in range(concurrency))
    )
    seconds = time.perf_counter() - began
    client_cpu_s = time.process_time() - cpu_began
    after = await _metrics(clients[0], base)
    latencies.sort()
    nli_calls = _delta(before, after, "truthgraph_batch_size_items_count", model="nli")
    nli_pairs = _delta(before, after, "truthgraph_batch_size_items_sum", model="nli")
    nli_seconds = _delta(before, after, "truthgraph_inference_duration_seconds_sum", model="nli")
    embed_calls = _delta(before, after, "truthgraph_batch_size_items_count", model="embedding")
    embed_texts = _delta(before, after, "truthgraph_batch_size_items_sum", model="embedding")
    return LevelResult(
        concurrency=concurrency,
        requests=sent,
        ok=len(latencies),
        errors=errors,
        seconds=round(seconds, 3),
        throughput_per_s=round(len(latencies) / seconds, 3) if seconds > 0 else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        mean_ms=round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
        answered=len(answers),
        overloaded_first=rejected_first,
        retries=retries,
        slowest_answer_ms=round(max(answers, default=0.0), 1),
        answers_over_30s=sum(1 for a in answers if a > 30_000),
        client_cpu_share=round(client_cpu_s / seconds, 2) if seconds > 0 else 0.0,
        server_peak_rss_mb=(
            round(after[("truthgraph_peak_rss_bytes", ())] / 2**20, 1)
            if ("truthgraph_peak_rss_bytes", ()) in after
            else None
        ),
        nli_pairs_per_call=round(nli_pairs / nli_calls, 1) if nli_calls else None,
        nli_ms_per_pair=round(nli_seconds * 1000 / nli_pairs, 3) if nli_pairs else None,
        embedding_texts_per_call=round(embed_texts / embed_calls, 1) if embed_calls else None,
        cache_hits=int(
            _delta(before, after, "truthgraph_embedding_cache_lookups_total", result="hit")
        ),
        cache_misses=int(
            _delta(before, after, "truthgraph_embedding_cache_lookups_total", result="miss")
        ),
    )


def summarise(levels: list[LevelResult]) -> Summary:
    """Gains relative to the concurrency-1 level: end-to-end throughput, and NLI time per
    pair (how much cheaper a pair is inside the larger merged batches)."""
    single = next((lv for lv in levels if lv.concurrency == 1), None)
    if single is None or single.throughput_per_s <= 0:
        return Summary(levels, None)
    throughput_gain = {
        lv.concurrency: round(lv.throughput_per_s / single.throughput_per_s, 2) for lv in levels
    }
    model_gain = {
        lv.concurrency: round(single.nli_ms_per_pair / lv.nli_ms_per_pair, 2)
        for lv in levels
        if single.nli_ms_per_pair and lv.nli_ms_per_pair
    }
    return Summary(levels, single.throughput_per_s, throughput_gain, model_gain)


async def run_loadtest(
    base_url: str,
    claims: Sequence[str],
    collection: str,
    levels: Sequence[int],
    requests_per_level: Mapping[int, int],
    time_limit_s: float = 300.0,
    warmup_requests: int = 5,
    honour_retry_after: bool = True,
) -> Summary:
    """Run each level in turn against ``base_url`` (loopback only); see ``run_level``."""
    require_loopback(base_url)
    if not claims:
        raise InvalidInputError("the load test needs at least one claim")
    base = base_url.rstrip("/")
    pools = -(-max(levels) // CLIENTS_PER_POOL)
    # idle connections are dropped before a server's keep-alive (uvicorn's: 5 s) can close
    # one under a request sent on it
    limits = httpx.Limits(max_connections=CLIENTS_PER_POOL + 2, keepalive_expiry=2.0)
    timeout = httpx.Timeout(connect=10.0, read=time_limit_s, write=30.0, pool=time_limit_s)
    results: list[LevelResult] = []
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(limits=limits, timeout=timeout))
            for _ in range(pools)
        ]
        ready = await clients[0].get(base + "/ready")
        server = ready.json() if ready.status_code == 200 else {}
        await run_level(clients, base, claims, collection, 1, warmup_requests, time_limit_s)
        offset = warmup_requests
        for concurrency in levels:
            count = requests_per_level[concurrency]
            results.append(
                await run_level(
                    clients,
                    base,
                    claims,
                    collection,
                    concurrency,
                    count,
                    time_limit_s,
                    offset,
                    honour_retry_after,
                )
            )
            offset += count
    summary = summarise(results)
    return replace(
        summary,
        server={k: server.get(k) for k in ("models", "backends")},
    )


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(
    base_url: str, timeout_s: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``/ready`` until it answers 200 (UnavailableError on timeout or a dead server)."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise UnavailableError(f"the server exited with code {process.returncode}")
            try:
                response = client.get(base_url.rstrip("/") + "/ready")
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.5)
    raise UnavailableError(f"the server was not ready after {timeout_s:.0f} s: {last}")


def serve_command(port: int, log_level: str = "warning") -> list[str]:
    """The command line of ``truthgraph serve`` on ``port`` of the loopback address, run by
    this interpreter."""
    return [
        sys.executable,
        "-c",
        "from truthgraph.cli.main import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        log_level,
    ]


@contextmanager
def local_server(
    env_overrides: Mapping[str, str],
    log_path: Path,
    ready_timeout_s: float = 600.0,
    log_level: str = "warning",
) -> Iterator[str]:
    """Start ``truthgraph serve`` on a free loopback port; yield its URL; stop it after
    (SIGTERM: a graceful shutdown). Its output goes to ``log_path``."""
    port = free_port()
    env = {**os.environ, **env_overrides}
    command = serve_command(port, log_level)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, ready_timeout_s, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

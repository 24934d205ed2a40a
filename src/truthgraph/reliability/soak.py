"""A bounded soak: sequential verifications against one server, its memory sampled."""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil

from truthgraph.reliability.faults import demo_claims
from truthgraph.reliability.processes import Server


@dataclass(frozen=True, slots=True)
class SoakResult:
    requests: int
    errors: int
    rss_mb: tuple[float, ...]  # after warm-up, then every ``sample_every`` requests
    seconds: float

    @property
    def growth_mb(self) -> float:
        """Memory gained from the first sample after warm-up to the last."""
        return self.rss_mb[-1] - self.rss_mb[0] if self.rss_mb else 0.0


def soak(
    server: Server, collection: str, requests: int = 1000, sample_every: int = 100, warmup: int = 50
) -> SoakResult:
    """``requests`` sequential ``POST /verify`` of the demo claims; the server's RSS."""
    process = psutil.Process(server.process.pid)
    # numbered, so every request is new work (no cache answers it)
    claims = [f"{c} (case {i})" for i, c in enumerate(demo_claims(requests + warmup))]
    errors = 0
    samples: list[float] = []
    started = time.monotonic()
    with server.client() as client:
        for index, claim in enumerate(claims):
            response = client.post(
                "/api/v1/verify", json={"claim": claim, "collection": collection}
            )
            errors += index >= warmup and response.status_code != 200
            done = index + 1 - warmup
            if done >= 0 and done % sample_every == 0:
                samples.append(process.memory_info().rss / 2**20)
    return SoakResult(requests, int(errors), tuple(samples), time.monotonic() - started)

"""100 concurrent verifications against a real server: no errors, and they share batches."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import DEMO_DIR
from tests.service import running_server
from truthgraph.cli.verify import read_claims

pytestmark = [pytest.mark.integration, pytest.mark.models]

CONCURRENCY = 100


async def _verify_all(url: str, claims: list[str], collection: str) -> list[int]:
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
        responses = await asyncio.gather(
            *(
                client.post("/api/v1/verify", json={"claim": claim, "collection": collection})
                for claim in claims
            )
        )
    return [r.status_code for r in responses]


def _mean(metrics: str, name: str, model: str) -> float:
    values = {}
    for line in metrics.splitlines():
        for suffix in ("_sum", "_count"):
            if line.startswith(f'{name}{suffix}{{model="{model}"}}'):
                values[suffix] = float(line.split()[-1])
    return values["_sum"] / values["_count"]


def test_a_hundred_concurrent_claims_all_succeed_and_are_batched_together(
    app: FastAPI, demo_collection: str
) -> None:
    claims = read_claims(DEMO_DIR / "candidate_claims.jsonl")[:CONCURRENCY]
    with running_server(app) as url:
        statuses = asyncio.run(_verify_all(url, claims, demo_collection))
        metrics = httpx.get(url + "/metrics").text
    assert statuses == [200] * CONCURRENCY
    assert _mean(metrics, "truthgraph_batch_size_requests", "nli") > 2
    assert _mean(metrics, "truthgraph_batch_size_requests", "embedding") > 2

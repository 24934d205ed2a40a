"""Uploads and URL fetches have a bounded pool of their own (issue 33): a flood of slow fetches
by one tenant is turned away past the pool's queue (503 with Retry-After), and another
tenant's /verify still answers within 2 s, its key check never waiting behind them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.service import running_server
from tests.web import LoopbackSite, Route, article_html, loopback_site

pytestmark = [pytest.mark.integration, pytest.mark.models]

KEY_A = "tenant-a-key-0123456789abcdef"
KEY_B = "tenant-b-key-0123456789abcdef"
API_SETTINGS = {
    "keys": [KEY_A, KEY_B],
    "fetch_private_urls": True,  # the slow site is on loopback
    "upload_concurrency": 2,
    "upload_queue_depth": 4,
}
FLOOD = 45  # more than the 40 threads the key checks share by default
SLOW_S = 5.0  # each fetched page answers after this long


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/slow"] = Route(body=article_html(), delay_s=SLOW_S)
        yield site


async def _flood_then_verify(
    url: str, page: str, collection: str
) -> tuple[int, float, list[httpx.Response]]:
    limits = httpx.Limits(max_connections=FLOOD + 5)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        claim = {"claim": "The Nile flows north.", "collection": collection}
        warm = await client.post("/api/v1/verify", json=claim, headers={"X-API-Key": KEY_A})
        assert warm.status_code == 200, warm.text
        flood = [
            asyncio.create_task(
                client.post(
                    "/api/v1/documents",
                    json={"collection": "flood", "url": page},
                    headers={"X-API-Key": KEY_B},
                )
            )
            for _ in range(FLOOD)
        ]
        await asyncio.sleep(1.0)  # the flood is in flight, its fetches waiting on the site
        began = time.perf_counter()
        verify = await client.post("/api/v1/verify", json=claim, headers={"X-API-Key": KEY_A})
        took = time.perf_counter() - began
        responses = await asyncio.gather(*flood)
    return verify.status_code, took, responses


def test_a_flood_of_slow_fetches_does_not_hold_up_another_tenants_verify(
    app: FastAPI, demo_collection: str, site: LoopbackSite
) -> None:
    with running_server(app) as url:
        status, took, responses = asyncio.run(
            _flood_then_verify(url, site.url("/slow"), demo_collection)
        )
    assert status == 200
    assert took < 2.0, f"/verify took {took:.1f} s behind the flood"
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 201, 503}, statuses
    turned_away = [r for r in responses if r.status_code == 503]
    assert len(turned_away) >= FLOOD - 4, statuses  # the pool's queue holds 4
    assert all(int(r.headers["Retry-After"]) >= 1 for r in turned_away)
    assert 1 <= statuses.count(200) + statuses.count(201) <= 4

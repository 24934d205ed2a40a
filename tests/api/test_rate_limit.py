"""Per-client rate limiting: a token bucket per API key, or per address without one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"keys": ["key-one", "key-two"], "rate_limit_per_minute": 6, "rate_limit_burst": 3}


def test_a_client_past_its_burst_gets_429_with_retry_after(client: TestClient) -> None:
    # without a key a request counts against its address: refused (401, keys exist) until
    # the burst is spent, then 429, so guessing keys is rate limited too
    statuses = [client.get("/api/v1/collections").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = client.get("/api/v1/collections")
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def test_each_api_key_has_its_own_budget(client: TestClient) -> None:
    one = {"X-API-Key": "key-one"}
    two = {"X-API-Key": "key-two"}
    assert [client.get("/api/v1/collections", headers=one).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert client.get("/api/v1/collections", headers=two).status_code == 200


def test_probes_and_metrics_are_never_limited(client: TestClient) -> None:
    for _ in range(10):
        assert client.get("/health").status_code == 200
        assert client.get("/api/v1/ready").status_code == 200
    metrics = client.get("/metrics").text
    assert 'truthgraph_rejected_requests_total{reason="rate_limited"}' in metrics

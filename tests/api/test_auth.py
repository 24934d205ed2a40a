"""API keys from TRUTHGRAPH_API_KEYS (admin keys on every endpoint), and CORS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"keys": ["key-one", "key-two"], "cors_origins": ["http://app.example"]}
DOC = {"collection": "auth-docs", "text": "Mount Kenya is the second-highest mountain in Africa."}


def test_writing_without_a_key_is_401_with_the_error_shape(client: TestClient) -> None:
    response = client.post("/api/v1/documents", json=DOC)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert "X-API-Key" in response.json()["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("ApiKey")


def test_a_wrong_key_is_401(client: TestClient) -> None:
    response = client.post("/api/v1/documents", json=DOC, headers={"X-API-Key": "key-three"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "the API key is not valid"


def test_a_configured_key_writes_in_either_header(client: TestClient) -> None:
    first = client.post("/api/v1/documents", json=DOC, headers={"X-API-Key": "key-one"})
    assert first.status_code in (200, 201)
    document_id = first.json()["document"]["id"]
    again = client.post("/api/v1/documents", json=DOC, headers={"Authorization": "Bearer key-two"})
    assert again.status_code == 200
    assert client.delete(f"/api/v1/documents/{document_id}").status_code == 401
    deleted = client.delete(f"/api/v1/documents/{document_id}", headers={"X-API-Key": "key-two"})
    assert deleted.status_code == 200


def test_batch_jobs_and_cancellation_need_a_key(client: TestClient, demo_collection: str) -> None:
    body = {"claims": ["Saxony is in Ireland."], "collection": demo_collection}
    assert client.post("/api/v1/verify/batch", json=body).status_code == 401
    job = client.post("/api/v1/verify/batch", json=body, headers={"X-API-Key": "key-one"})
    assert job.status_code == 202
    cancel = f"/api/v1/jobs/{job.json()['id']}/cancel"
    assert client.post(cancel).status_code == 401
    assert client.post(cancel, headers={"X-API-Key": "key-one"}).status_code == 200


def test_once_keys_exist_reading_and_verifying_need_one_too(
    client: TestClient, demo_collection: str
) -> None:
    claim = {"claim": "Saxony is in Ireland.", "collection": demo_collection}
    assert client.get("/api/v1/collections").status_code == 401
    assert client.post("/api/v1/verify", json=claim).status_code == 401
    assert client.get("/api/v1/claims").status_code == 401
    assert client.post("/api/v1/embed", json={"texts": ["a"]}).status_code == 401
    key = {"X-API-Key": "key-one"}
    assert client.get("/api/v1/collections", headers=key).status_code == 200
    assert client.post("/api/v1/verify", json=claim, headers=key).status_code == 200
    assert client.get("/api/v1/claims", headers=key).status_code == 200
    assert client.get("/health").status_code == 200  # probes stay open


def test_cors_allows_the_configured_origin_only(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = client.options(
        "/api/v1/verify", headers={"Origin": "http://app.example", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://app.example"
    denied = client.options(
        "/api/v1/verify", headers={"Origin": "http://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in denied.headers

"""Probes, metrics, OpenAPI docs, the page's files, request ids, logs and error shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from truthgraph.api.app import create_app
from truthgraph.api.runtime import Resources
from truthgraph.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.models]

ENDPOINTS = {
    ("post", "/api/v1/verify"),
    ("post", "/api/v1/verify/batch"),
    ("get", "/api/v1/jobs/{job_id}"),
    ("post", "/api/v1/jobs/{job_id}/cancel"),
    ("get", "/api/v1/claims"),
    ("get", "/api/v1/claims/{claim_id}"),
    ("get", "/api/v1/verdicts/{verdict_id}"),
    ("post", "/api/v1/documents"),
    ("get", "/api/v1/documents/{document_id}"),
    ("delete", "/api/v1/documents/{document_id}"),
    ("get", "/api/v1/collections"),
    ("post", "/api/v1/search"),
    ("post", "/api/v1/embed"),
    ("post", "/api/v1/nli"),
    ("post", "/api/v1/nli/batch"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/ready"),
    ("get", "/api/v1/metrics"),
}


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["models"]["embedding"] == "all-MiniLM-L6-v2"
    assert set(body["backends"]) == {"embedding", "nli"}
    assert client.get("/api/v1/ready").json()["status"] == "ready"


def test_metrics_cover_latency_stages_batches_queue_memory_and_cache(
    client: TestClient, demo_collection: str
) -> None:
    claim = {"claim": "Saxony is in Ireland.", "collection": demo_collection}
    assert client.post("/api/v1/verify", json=claim).status_code == 200
    assert client.post("/api/v1/verify", json=claim).status_code == 200  # cached embedding
    claim_2 = {"claim": "Saxony is in Germany.", "collection": demo_collection}
    assert client.post("/api/v1/verify", json=claim_2).status_code == 200
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for needle in (
        'truthgraph_http_request_duration_seconds_bucket{le="0.005",method="POST",'
        'route="/api/v1/verify",status="200"}',
        'truthgraph_stage_duration_seconds_count{stage="nli"}',
        'truthgraph_stage_duration_seconds_count{stage="retrieval"}',
        'truthgraph_batch_size_items_count{model="nli"}',
        'truthgraph_batch_size_requests_count{model="embedding"}',
        'truthgraph_inference_duration_seconds_sum{model="nli"}',
        "truthgraph_queue_depth 0.0",
        'truthgraph_batcher_pending_items{model="nli"} 0.0',
        'truthgraph_model_memory_bytes{model="nli"}',
        'truthgraph_embedding_cache_lookups_total{result="hit"}',
        "truthgraph_ready 1.0",
    ):
        assert needle in text, needle


def test_openapi_documents_every_endpoint_and_the_docs_page_is_served(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    documented = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert documented >= ENDPOINTS
    upload = schema["paths"]["/api/v1/documents"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(upload)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "cdn." not in docs.text  # served from the package: works offline
    script = docs.text.split('<script src="')[1].split('"')[0]
    assert client.get(script).status_code == 200


def test_the_page_and_its_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/app.js"' in page.text
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/missing.js").status_code == 404


def test_every_response_carries_a_request_id_and_a_good_one_is_kept(client: TestClient) -> None:
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    kept = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123"
    replaced = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["X-Request-ID"] != "bad id\twith spaces"
    assert client.get("/api/v1/nothing-here").headers["X-Request-ID"]


def test_each_request_is_logged_as_structured_data_with_stage_latency(
    client: TestClient, demo_collection: str
) -> None:
    with capture_logs() as logs:
        response = client.post(
            "/api/v1/verify",
            json={"claim": "Aarhus is in Denmark.", "collection": demo_collection},
        )
    request_id = response.headers["X-Request-ID"]
    [entry] = [e for e in logs if e["event"] == "request" and e["request_id"] == request_id]
    assert entry["status"] == 200 and entry["route"] == "/api/v1/verify"
    assert entry["duration_ms"] > 0
    assert {"embedding", "retrieval", "nli", "aggregation", "database"} <= set(entry["stages_ms"])


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/verify", json={})
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_a_json_500_without_a_traceback(
    client: TestClient, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(resources.store, "list_collections", broken)
    with capture_logs():
        response = client.get("/api/v1/collections")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert response.headers["X-Request-ID"] in error["message"]
    assert "secret" not in response.text and "Traceback" not in response.text


@pytest.fixture()
def broken_app_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    broken = settings.model_copy(
        update={"model": settings.model.model_copy(update={"nli_model": str(not_a_model)})}
    )
    app = create_app(broken)
    with TestClient(app) as client:
        app.state.runtime.wait_ready(60)
        yield client


def test_a_failed_start_keeps_the_process_alive_and_ready_says_why(
    broken_app_client: TestClient,
) -> None:
    client = broken_app_client
    assert client.get("/health").status_code == 200
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    assert ready.json()["status"] == "failed" and "has no config.json" in ready.json()["error"]
    verify = client.post("/api/v1/verify", json={"claim": "Anything."})
    assert verify.status_code == 503
    assert verify.json()["error"]["code"] == "unavailable" and verify.headers["Retry-After"]

"""POST /verify, batch jobs and history, against the real database and models."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job
from truthgraph.api.runtime import Resources
from truthgraph.api.schemas import VerdictOut
from truthgraph.verify.verifier import Verifier

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"max_batch_claims": 300}
CLAIM = "Tim Roth is an English actor."


def verify(client: TestClient, collection: str, **body: object) -> dict[str, Any]:
    response = client.post(
        "/api/v1/verify", json={"claim": CLAIM, "collection": collection, **body}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_verify_returns_the_verdict_object_of_verify_json(
    client: TestClient, demo_collection: str, verifier: Verifier
) -> None:
    body = verify(client, demo_collection)
    direct = verifier.verify(CLAIM, demo_collection, verifier.options_with(persist=False))
    VerdictOut.model_validate(body)  # every field of Verdict.to_dict(), nothing else
    assert set(body) == set(direct.to_dict())
    assert body["verdict"] == direct.label.value == "SUPPORTED"
    assert [e["evidence_id"] for e in body["evidence"]] == [
        e.hit.evidence_id for e in direct.evidence
    ]
    assert isinstance(body["claim_id"], int) and isinstance(body["verdict_id"], int)


def test_verdict_cites_evidence_with_offsets_nli_scores_and_stage_timings(
    client: TestClient, demo_collection: str
) -> None:
    body = VerdictOut.model_validate(verify(client, demo_collection, top_k=3))
    assert 1 <= len(body.evidence) <= 3
    top = body.evidence[0]
    assert "Roth" in top.text and top.end > top.start and top.title == "Tim Roth"
    assert top.nli.entailment + top.nli.neutral + top.nli.contradiction == pytest.approx(1, 0.01)
    assert {"embedding", "retrieval", "nli", "aggregation", "database", "total"} <= set(
        body.timings_ms
    )


def test_strategy_and_top_k_are_applied(client: TestClient, demo_collection: str) -> None:
    body = verify(client, demo_collection, top_k=2, strategy="majority_vote")
    assert body["strategy"] == "majority_vote"
    assert len(body["evidence"]) <= 2


def test_a_verification_is_kept_and_can_be_read_back(
    client: TestClient, demo_collection: str
) -> None:
    body = verify(client, demo_collection)
    by_claim = client.get(f"/api/v1/claims/{body['claim_id']}").json()
    by_verdict = client.get(f"/api/v1/verdicts/{body['verdict_id']}").json()
    assert by_claim == by_verdict
    assert by_claim["verdict"] == body["verdict"] and by_claim["claim"] == CLAIM
    assert by_claim["evidence"] == body["evidence"]


def test_a_kept_verification_has_its_timings_whole_database_and_total_included(
    client: TestClient, demo_collection: str
) -> None:
    body = verify(client, demo_collection)

    kept = client.get(f"/api/v1/claims/{body['claim_id']}").json()

    assert {"database", "total"} <= set(kept["timings_ms"])
    assert kept["timings_ms"] == body["timings_ms"]


def test_history_lists_past_verifications_newest_first_and_searches_them(
    client: TestClient, demo_collection: str
) -> None:
    first = verify(client, demo_collection)
    response = client.post(
        "/api/v1/verify",
        json={"claim": "Saxony is in Ireland.", "collection": demo_collection},
    )
    second = response.json()
    page = client.get("/api/v1/claims", params={"limit": 2}).json()
    assert [i["claim_id"] for i in page["items"]] == [second["claim_id"], first["claim_id"]]
    found = client.get("/api/v1/claims", params={"query": "saxony"}).json()
    assert found["total"] >= 1 and all("Saxony" in i["claim"] for i in found["items"])
    assert client.get("/api/v1/claims", params={"query": "%_no such claim_%"}).json() == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"claim": ""}, "claim"),
        ({"claim": "   "}, None),
        ({"claim": "x" * 2001}, None),
        ({"claim": CLAIM, "top_k": 0}, "top_k"),
        ({"claim": CLAIM, "top_k": 201}, "top_k"),
        ({"claim": CLAIM, "strategy": "coin_flip"}, "strategy"),
        ({"claim": CLAIM, "unknown": 1}, "unknown"),
        ({"claim": 42}, "claim"),
        ({}, "claim"),
    ],
)
def test_invalid_verify_requests_are_422_with_the_error_shape(
    client: TestClient, demo_collection: str, body: dict[str, object], field: str | None
) -> None:
    response = client.post("/api/v1/verify", json={"collection": demo_collection, **body})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["message"]
    if field is not None:
        assert field in [d["field"] for d in error["details"]]


def test_malformed_json_is_422_not_500(client: TestClient) -> None:
    response = client.post(
        "/api/v1/verify", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_unknown_collection_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/verify", json={"claim": CLAIM, "collection": "no-such"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "unknown collection 'no-such': ingest documents into it first",
        }
    }


def test_unknown_ids_are_404(client: TestClient) -> None:
    for path in ("/api/v1/claims/999999999", "/api/v1/verdicts/999999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/claims/99999999999999999999").status_code == 422
    assert client.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/jobs/not-a-uuid").status_code == 422


def test_batch_verification_runs_as_a_job_with_progress_and_results(
    client: TestClient, demo_collection: str
) -> None:
    claims = [CLAIM, "Saxony is in Ireland.", "Aarhus is a city in Denmark."]
    response = client.post(
        "/api/v1/verify/batch", json={"claims": claims, "collection": demo_collection, "top_k": 3}
    )
    assert response.status_code == 202
    job = response.json()
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["status"] in ("queued", "running") and job["total"] == 3
    done = wait_for_job(client, job["id"])
    assert done["status"] == "succeeded" and done["done"] == 3 and done["progress"] == 1.0
    assert [i["input"] for i in done["items"]] == claims
    for item in done["items"]:
        assert item["status"] == "done"
        verdict = VerdictOut.model_validate(item["result"])
        assert len(verdict.evidence) <= 3
    page = client.get(
        f"/api/v1/jobs/{job['id']}", params={"items_offset": 1, "items_limit": 1}
    ).json()
    assert [i["position"] for i in page["items"]] == [1]


def test_a_batch_job_can_be_cancelled_and_keeps_what_it_finished(
    client: TestClient, demo_collection: str
) -> None:
    claims = [f"Tim Roth was born in {1900 + i}." for i in range(200)]
    job = client.post(
        "/api/v1/verify/batch", json={"claims": claims, "collection": demo_collection}
    ).json()
    cancelled = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    time.sleep(1.5)  # a chunk that was running when cancelled is not recorded
    final = client.get(f"/api/v1/jobs/{job['id']}", params={"items_limit": 1000}).json()
    assert final["status"] == "cancelled" and final["done"] < 200
    assert sum(i["status"] == "done" for i in final["items"]) == final["done"]
    time.sleep(1.0)
    assert client.get(f"/api/v1/jobs/{job['id']}").json()["done"] == final["done"]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ([], "claims"),
        (["fine", "  "], "claims[1] is empty"),
        (["x" * 2001], "claims[0] is 2001 characters long"),
        (["a claim"] * 301, "at most 300"),
    ],
)
def test_batch_limits_are_checked_before_anything_is_queued(
    client: TestClient, demo_collection: str, claims: list[str], message: str
) -> None:
    response = client.post(
        "/api/v1/verify/batch", json={"claims": claims, "collection": demo_collection}
    )
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


def test_batch_on_an_unknown_collection_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/verify/batch", json={"claims": [CLAIM], "collection": "nope"})
    assert response.status_code == 404


def test_past_the_queue_depth_requests_get_503_with_retry_after(
    client: TestClient, demo_collection: str, resources: Resources
) -> None:
    gate = resources.gate
    with gate.admit(weight=gate.max_in_flight):  # the queue is full
        response = client.post(
            "/api/v1/verify", json={"claim": CLAIM, "collection": demo_collection}
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "overloaded"
    assert "truthgraph_rejected_requests_total" in client.get("/metrics").text

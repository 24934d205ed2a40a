"""Hostile input gets a 4xx in the documented shape, before any model runs, writing nothing.

Before the fix, NUL characters reached PostgreSQL (which refuses them in text and jsonb) and
came back as 500 internal_error, after the whole embedding and NLI had run; a body that was
not UTF-8 or not parseable answered an undocumented 400.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from truthgraph.api.runtime import Resources
from truthgraph.reliability.inputs import probe

pytestmark = [pytest.mark.integration, pytest.mark.models]


def test_every_hostile_case_is_a_documented_4xx(client: TestClient, demo_collection: str) -> None:
    results = probe(client.request, demo_collection)
    wrong = [(r.case.name, r.status, r.shaped) for r in results if not r.ok]
    assert wrong == []
    assert len(results) >= 20


def test_failing_requests_write_nothing(
    client: TestClient, demo_collection: str, resources: Resources
) -> None:
    collections_before = {c.name for c, _, _ in resources.store.list_collections()}
    _, claims_before = resources.store.list_claims(limit=1)
    probe(client.request, demo_collection)
    collections_after = {c.name for c, _, _ in resources.store.list_collections()}
    _, claims_after = resources.store.list_claims(limit=1)
    assert collections_after == collections_before  # no empty collection left behind
    assert claims_after == claims_before


def test_a_nul_claim_is_refused_before_the_collection_is_looked_up(client: TestClient) -> None:
    # a missing collection would be 404; 422 shows the text was checked first, before any
    # lookup, embedding or NLI
    response = client.post(
        "/api/v1/verify", json={"claim": "a\x00b", "collection": "no-such-collection"}
    )
    assert response.status_code == 422
    assert "U+0000" in response.json()["error"]["message"]


def test_a_json_decode_error_names_the_body_not_a_byte_offset(client: TestClient) -> None:
    response = client.post(
        "/api/v1/verify", content=b'{"claim": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "body"


def test_a_200_kb_paragraph_is_refused_at_once_with_413(client: TestClient) -> None:
    paragraph = "The Danube flows through ten countries, e.g. Austria. Dr. Smith said so. " * 2800
    started = time.perf_counter()
    response = client.post(
        "/api/v1/documents", json={"collection": "bounded", "text": paragraph[:200_000]}
    )
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "limit_exceeded"
    assert "TRUTHGRAPH_LIMITS__MAX_PARAGRAPH_CHARS" in error["message"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd"]
)
def test_a_document_url_that_is_not_http_is_refused(client: TestClient, url: str) -> None:
    response = client.post(
        "/api/v1/documents",
        json={"collection": "bounded", "text": "The Danube is a river.", "url": url},
    )
    assert response.status_code == 422, response.text
    assert "http:// or https://" in response.text

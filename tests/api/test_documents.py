"""Documents, uploads, collections and evidence search over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"max_upload_bytes": 4096}
_names = iter(range(1_000_000))
ZEBRA = (
    "The Quagga Institute studies striped horses. "
    "It was founded in Windhoek in 1987 by the zoologist Ilse Marangu."
)


@pytest.fixture()
def collection() -> Iterator[str]:
    yield f"docs-{next(_names)}"


def add(client: TestClient, collection: str, text: str = ZEBRA, **extra: object) -> dict[str, Any]:
    response = client.post(
        "/api/v1/documents", json={"collection": collection, "text": text, **extra}
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def search(client: TestClient, collection: str, query: str, mode: str) -> list[dict[str, Any]]:
    response = client.post(
        "/api/v1/search", json={"query": query, "collection": collection, "mode": mode, "top_k": 5}
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_a_json_document_is_stored_split_into_sentences_and_readable(
    client: TestClient, collection: str
) -> None:
    created = client.post(
        "/api/v1/documents",
        json={
            "collection": collection,
            "text": ZEBRA,
            "title": "Quagga Institute",
            "url": "https://example.org/quagga",
            "metadata": {"lang": "en"},
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True and body["sentences_added"] == 2
    document = client.get(f"/api/v1/documents/{body['document']['id']}").json()
    assert document["text"] == ZEBRA and document["title"] == "Quagga Institute"
    assert document["collection"] == collection and document["sentences"] == 2
    assert document["metadata"] == {"lang": "en"}


def test_the_same_document_twice_is_stored_once(client: TestClient, collection: str) -> None:
    first = add(client, collection)
    again = client.post("/api/v1/documents", json={"collection": collection, "text": ZEBRA})
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["document"]["id"] == first["document"]["id"]


@pytest.mark.parametrize("mode", ["vector", "keyword", "hybrid"])
def test_search_finds_evidence_with_scores_in_every_mode(
    client: TestClient, collection: str, mode: str
) -> None:
    add(client, collection)
    results = search(client, collection, "Windhoek zoologist", mode)
    top = results[0]
    assert "Windhoek" in top["text"]
    assert ZEBRA[top["start"] : top["end"]] == top["text"]
    assert top["score"] > 0
    if mode != "keyword":
        assert top["vector_similarity"] is not None
    if mode != "vector":
        assert top["keyword_rank"] is not None and top["keyword_rank"] > 0


def test_deleting_a_document_removes_its_evidence_from_search(
    client: TestClient, collection: str
) -> None:
    document_id = add(client, collection)["document"]["id"]
    assert search(client, collection, "Windhoek", "keyword")
    deleted = client.delete(f"/api/v1/documents/{document_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": document_id, "collection": collection, "sentences_removed": 2}
    assert client.get(f"/api/v1/documents/{document_id}").status_code == 404
    assert search(client, collection, "Windhoek", "keyword") == []
    assert all(
        "Windhoek" not in r["text"] for r in search(client, collection, "Windhoek", "vector")
    )
    assert client.delete(f"/api/v1/documents/{document_id}").status_code == 404


def test_an_uploaded_file_is_ingested_as_a_job_with_progress(
    client: TestClient, collection: str
) -> None:
    rows = [
        {"id": f"d{i}", "title": f"Island {i}", "text": f"Island {i} lies in the Baltic Sea."}
        for i in range(5)
    ]
    payload = "\n".join(json.dumps(r) for r in rows).encode()
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("islands.jsonl", payload, "application/jsonl")},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert job["kind"] == "ingest" and job["status"] == "succeeded"
    assert job["done"] == job["total"] == 5 and job["items"] == []
    assert job["result"]["documents_added"] == 5
    listed = {c["name"]: c for c in client.get("/api/v1/collections").json()["collections"]}
    assert listed[collection]["documents"] == 5 and listed[collection]["evidence"] == 5
    assert listed[collection]["embedding_model"] == "all-MiniLM-L6-v2"


def test_a_markdown_upload_is_one_document_titled_by_its_heading(
    client: TestClient, collection: str
) -> None:
    text = b"# Lake Notes\n\nLake Baikal is the deepest lake on Earth.\n"
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("notes.md", text, "text/markdown")},
    )
    job = wait_for_job(client, response.json()["id"])
    assert job["result"]["documents_added"] == 1
    [hit] = search(client, collection, "Baikal", "keyword")
    assert hit["title"] == "Lake Notes" and hit["source"] == "notes.md"


def test_a_malformed_upload_is_422_and_names_the_line_not_a_server_path(
    client: TestClient, collection: str
) -> None:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": ("bad.jsonl", b'{"text": "fine"}\n{not json\n', "application/jsonl")},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_data"
    assert error["message"].startswith("bad.jsonl:2: not valid JSON")


@pytest.mark.parametrize(
    ("filename", "content", "status", "code"),
    [
        ("logo.png", b"\x89PNG\r\n", 415, "unsupported_media_type"),
        ("report.pdf", b"%PDF-1.4", 422, "invalid_data"),
        ("noext", b"text", 415, "unsupported_media_type"),
        ("big.txt", b"word " * 1000, 413, "payload_too_large"),
        ("latin1.txt", "caf\xe9".encode("latin-1"), 422, "invalid_data"),
    ],
)
def test_uploads_are_checked_for_type_size_and_encoding(
    client: TestClient, collection: str, filename: str, content: bytes, status: int, code: str
) -> None:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": (filename, content, "application/octet-stream")},
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_document_requests_are_validated(client: TestClient, collection: str) -> None:
    cases = [
        ({"collection": collection, "text": ""}, 422),
        ({"collection": collection, "text": "   "}, 422),
        ({"collection": collection, "text": "x" * 5000}, 413),
        ({"collection": "", "text": "Fine."}, 422),
        ({"collection": collection, "text": "Fine.", "color": "red"}, 422),
    ]
    for body, status in cases:
        response = client.post("/api/v1/documents", json=body)
        assert response.status_code == status, body
        assert set(response.json()["error"]) >= {"code", "message"}
    plain = client.post(
        "/api/v1/documents", content=b"text", headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415
    no_file = client.post("/api/v1/documents", data={"collection": collection}, files={})
    assert no_file.status_code in (415, 422)


def test_a_body_larger_than_the_server_limit_is_refused_before_it_is_read(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/v1/documents",
        content=b"x" * (4096 + 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_search_validates_its_input(client: TestClient, collection: str) -> None:
    add(client, collection)
    for body in (
        {"query": "", "collection": collection},
        {"query": "x", "collection": collection, "top_k": 0},
        {"query": "x", "collection": collection, "mode": "fuzzy"},
    ):
        assert client.post("/api/v1/search", json=body).status_code == 422
    missing = client.post("/api/v1/search", json={"query": "x", "collection": "no-such"})
    assert missing.status_code == 404

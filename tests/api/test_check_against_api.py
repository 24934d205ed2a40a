"""POST /api/v1/check with ``documents`` in place of ``collection``: the text checked against
the given documents in memory (JSON texts and URLs, uploaded files), nothing stored; bad
documents, private URLs, keys and sizes as elsewhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web import LoopbackSite, Route, article_html, loopback_site, report_pdf, scanned_pdf
from truthgraph.api.app import create_app
from truthgraph.check.against import GIVEN_DOCUMENTS
from truthgraph.settings import Settings
from truthgraph.wiring import ServiceParts

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"max_upload_bytes": 64 * 1024}
PASSAGE = (
    "Colombiana is a 2011 French action film directed by Olivier Megaton. It was produced by "
    "Luc Besson.\n\nThe film stars Zoe Saldana as a hitwoman."
)
ANSWER = "Colombiana was directed by Olivier Megaton. Colombiana was directed by Steven Spielberg."


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        yield site


def _verdicts(report: dict[str, object]) -> list[object]:
    sentences = report["sentences"]
    assert isinstance(sentences, list)
    return [s["verdict"] for s in sentences if s["checked"]]


def test_json_documents_in_place_of_a_collection(client: TestClient) -> None:
    response = client.post(
        "/api/v1/check",
        json={"text": ANSWER, "documents": [{"text": PASSAGE, "title": "Colombiana"}]},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["collection"] == GIVEN_DOCUMENTS
    assert _verdicts(report) == ["SUPPORTED", "REFUTED"]
    evidence = report["sentences"][0]["claims"][0]["evidence"][0]
    assert evidence["title"] == "Colombiana" and "Megaton" in evidence["text"]
    binary = client.post(
        "/api/v1/check",
        json={"text": ANSWER, "documents": [{"text": PASSAGE}], "labels": "binary"},
    ).json()
    assert binary["verdict"] == "NOT_SUPPORTED" and binary["labels"] == "binary"
    assert _verdicts(binary) == ["SUPPORTED", "NOT_SUPPORTED"]


def test_uploaded_documents_and_a_pasted_text(client: TestClient) -> None:
    response = client.post(
        "/api/v1/check",
        data={"text": "Lake Baikal is the deepest lake in the world.", "labels": "binary"},
        files=[
            ("document", ("lakes.pdf", report_pdf(), "application/pdf")),
            ("document", ("notes.txt", PASSAGE.encode(), "text/plain")),
        ],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "SUPPORTED"
    evidence = report["sentences"][0]["claims"][0]["evidence"][0]
    assert evidence["source"] == "lakes.pdf" and evidence["page"] == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ANSWER, "documents": [{"text": "   "}]}, 422, "invalid_document"),
        ({"text": ANSWER, "documents": []}, 422, "invalid_document"),
        ({"text": ANSWER, "documents": [{"text": "a", "url": "https://x.org"}]}, 422, None),
        ({"text": ANSWER, "documents": [{"text": PASSAGE}], "collection": "x"}, 422, None),
        ({"text": ANSWER, "documents": [{"text": "Bad \x01 text."}]}, 422, None),
        ({"text": ANSWER, "documents": [{"text": "word " * 20_000}]}, 413, None),
        ({"text": ANSWER, "documents": [{"text": PASSAGE}], "labels": "two"}, 422, None),
    ],
    ids=["empty", "none", "text-and-url", "and-collection", "control", "too-large", "labels"],
)
def test_bad_documents_are_4xx(
    client: TestClient, body: dict[str, object], status: int, code: str | None
) -> None:
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["error"]["code"] == code


def test_bad_uploads_are_4xx(client: TestClient) -> None:
    scanned = client.post(
        "/api/v1/check",
        data={"text": ANSWER},
        files=[("document", ("scan.pdf", scanned_pdf(), "application/pdf"))],
    )
    assert scanned.status_code == 422, scanned.text
    assert scanned.json()["error"]["code"] == "invalid_document"
    assert "scan.pdf" in scanned.json()["error"]["message"]
    assert "/tmp" not in scanned.json()["error"]["message"]
    big = client.post(
        "/api/v1/check",
        data={"text": ANSWER},
        files=[("document", ("big.txt", b"word " * 20_000, "text/plain"))],
    )
    assert big.status_code == 413, big.text
    odd = client.post(
        "/api/v1/check",
        data={"text": ANSWER},
        files=[("document", ("run.exe", b"MZ", "application/octet-stream"))],
    )
    assert odd.status_code == 415, odd.text


def test_private_urls_are_refused_unless_allowed(
    client: TestClient,
    site: LoopbackSite,
    api_settings: Settings,
    service_parts: ServiceParts,
) -> None:
    body = {
        "text": "The Danube flows through ten countries.",
        "documents": [{"url": site.url("/rivers")}],
    }
    refused = client.post("/api/v1/check", json=body)
    assert refused.status_code == 422, refused.text
    assert "loopback, private or reserved" in refused.json()["error"]["message"]
    assert site.user_agents == []
    allowing = api_settings.model_copy(
        update={"api": api_settings.api.model_copy(update={"fetch_private_urls": True})}
    )
    with TestClient(create_app(allowing, parts=service_parts)) as other:
        assert other.app.state.runtime.wait_ready(120)  # type: ignore[attr-defined]
        response = other.post("/api/v1/check", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "SUPPORTED"
    assert report["sentences"][0]["claims"][0]["evidence"][0]["title"] == "Rivers of Europe"

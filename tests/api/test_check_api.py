"""POST /api/v1/check: short texts answered at once, long ones as jobs, bad input as 4xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job
from truthgraph.extract import ClaimExtractor, Extraction
from truthgraph.extract import extract as real_extract

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"check_sync_chars": 200}
SHORT = "Luc Besson produced Colombiana. Is it any good?"
LONG = (
    "Luc Besson produced Colombiana. Soyuz was part of the Soviet space program and Janelle "
    "Monáe is Canadian. I think the film is amazing. Bea Arthur's birth name was Bernice "
    "Frankel. She was born in New York City."
)


def test_a_short_text_is_checked_at_once(client: TestClient, demo_collection: str) -> None:
    response = client.post("/api/v1/check", json={"text": SHORT, "collection": demo_collection})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] == "SUPPORTED"
    assert report["factuality"] == 1.0
    assert [s["skipped"] for s in report["sentences"]] == [None, "question"]
    [claim] = report["sentences"][0]["claims"]
    assert claim["evidence"][0]["title"] == "Colombiana"


def test_a_long_text_becomes_a_job(
    client: TestClient, demo_collection: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(LONG) > API_SETTINGS["check_sync_chars"]
    extracted: list[str] = []

    def extract(text: str, extractor: ClaimExtractor) -> Extraction:
        extracted.append(text)
        return real_extract(text, extractor)

    monkeypatch.setattr("truthgraph.check.run.extract", extract)
    response = client.post("/api/v1/check", json={"text": LONG, "collection": demo_collection})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "check" and response.headers["Location"].endswith(job["id"])
    done = wait_for_job(client, job["id"])
    assert done["status"] == "succeeded", done
    report = done["result"]
    checked = [s for s in report["sentences"] if s["checked"]]
    assert [s["verdict"] for s in checked][:2] == ["SUPPORTED", "REFUTED"]
    assert report["claims_by_verdict"]["REFUTED"] >= 1
    assert report["sentences_skipped"] >= 1
    assert extracted == [LONG]  # by the route; the job was handed the extraction


def test_a_long_text_job_keeps_binary_labels(client: TestClient, demo_collection: str) -> None:
    body = {"text": LONG, "collection": demo_collection, "labels": "binary"}
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 202, response.text
    done = wait_for_job(client, response.json()["id"])
    assert done["status"] == "succeeded", done
    report = done["result"]
    assert report["labels"] == "binary"
    verdicts = {s["verdict"] for s in report["sentences"] if s["checked"]}
    assert verdicts <= {"SUPPORTED", "NOT_SUPPORTED"} and "NOT_SUPPORTED" in verdicts


def test_a_file_upload(client: TestClient, demo_collection: str) -> None:
    response = client.post(
        "/api/v1/check",
        data={"collection": demo_collection},
        files={"file": ("notes.md", SHORT.encode(), "text/markdown")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "SUPPORTED"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "Is it true? What do you think?"}, 422, "nothing_to_check"),
        ({"text": "   "}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
        ({"text": "Paris is in France.", "collection": "no-such-collection"}, 404, "not_found"),
        ({"text": "Paris is in France.", "extractor": "llm"}, 422, "invalid_input"),
    ],
)
def test_bad_input(
    client: TestClient, demo_collection: str, body: dict[str, str], status: int, code: str
) -> None:
    response = client.post("/api/v1/check", json={"collection": demo_collection, **body})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_an_unsupported_upload_is_415(client: TestClient, demo_collection: str) -> None:
    response = client.post(
        "/api/v1/check",
        data={"collection": demo_collection},
        files={"file": ("sheet.xlsx", b"PK\x03\x04", "application/octet-stream")},
    )
    assert response.status_code == 415

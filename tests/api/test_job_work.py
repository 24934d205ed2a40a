"""Jobs at work: progress once finished, cancellation inside a running document, and a
wall-clock limit on one item (issue 33)."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job
from truthgraph.api.app import create_app
from truthgraph.settings import Settings
from truthgraph.wiring import ServiceParts

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"check_sync_chars": 100}


def _big_upload(documents: int, sentences: int, tag: str) -> bytes:
    """A JSONL file of long documents (every sentence distinct, 50 to a paragraph)."""
    lines = []
    for d in range(documents):
        text = "".join(
            f"The {tag} ledger entry {d}-{s} records a shipment of {s * 7 + d} crates to port {s}."
            + ("\n\n" if s % 50 == 49 else " ")
            for s in range(sentences)
        )
        lines.append(json.dumps({"id": f"{tag}-{d}", "text": text, "title": f"{tag} {d}"}))
    return ("\n".join(lines) + "\n").encode()


def _upload(client: TestClient, collection: str, data: bytes, name: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/documents",
        data={"collection": collection},
        files={"file": (name, data, "application/jsonl")},
    )
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    return job


def _wait_running(client: TestClient, job_id: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never ran")


def test_a_document_running_past_the_item_time_limit_fails_its_job(
    api_settings: Settings, service_parts: ServiceParts
) -> None:
    limited = api_settings.api.model_copy(update={"job_item_timeout_s": 0.5})
    app = create_app(api_settings.model_copy(update={"api": limited}), parts=service_parts)
    with TestClient(app) as client:
        assert app.state.runtime.wait_ready(60)
        job = _upload(client, "job-work-limit", _big_upload(1, 3000, "slow"), "slow.jsonl")
        started = time.monotonic()
        done = wait_for_job(client, job["id"])
        seconds = time.monotonic() - started
    assert done["status"] == "failed", done
    assert "document 1 of the upload took longer than 0.5 s" in done["error"]
    assert "TRUTHGRAPH_API_JOB_ITEM_TIMEOUT_S" in done["error"]
    assert seconds < 20


def test_a_finished_check_job_reports_all_its_work_done(
    client: TestClient, demo_collection: str
) -> None:
    text = "Saxony is in Ireland. " * 8
    response = client.post("/api/v1/check", json={"text": text, "collection": demo_collection})
    assert response.status_code == 202, response.text
    done = wait_for_job(client, response.json()["id"])
    assert done["status"] == "succeeded", done
    assert (done["done"], done["total"], done["progress"]) == (1, 1, 1.0)


def test_cancelling_an_upload_stops_the_document_it_is_working_on(
    client: TestClient,
) -> None:
    # 16 documents of 1,500 sentences: one batch of the worker, tens of seconds of embedding
    big = _upload(client, "job-work-cancel", _big_upload(16, 1500, "big"), "big.jsonl")
    _wait_running(client, big["id"])
    time.sleep(1.0)  # well inside the first document's embedding
    cancelled_at = datetime.now(UTC)
    assert client.post(f"/api/v1/jobs/{big['id']}/cancel").json()["status"] == "cancelled"
    small = _upload(client, "job-work-cancel", _big_upload(1, 3, "small"), "small.jsonl")
    done = wait_for_job(client, small["id"])
    assert done["status"] == "succeeded", done
    waited = (datetime.fromisoformat(done["started_at"]) - cancelled_at).total_seconds()
    # the worker took the next job within about a second (it went on for tens of seconds)
    assert waited < 3.0, waited
    cancelled = client.get(f"/api/v1/jobs/{big['id']}").json()
    assert cancelled["status"] == "cancelled" and cancelled["done"] == 0


def test_uploads_write_no_temporary_file(
    client: TestClient, demo_collection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a temporary folder that cannot be used: any temporary file would fail the request
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    page = (
        b"<html><head><title>Ledger</title></head><body><article><p>The ledger opened in 1921 "
        b"in Lisbon, and it was kept by the harbour office for most of the century.</p>"
        b"<p>Saxony is in Ireland, the first page of the ledger says.</p></article></body></html>"
    )
    for name, data in (
        ("ledger.html", page),
        ("ledger.jsonl", b'{"text": "The ledger closed in 1999."}\n'),
        ("ledger.txt", b"The ledger moved to Porto in 1950."),
    ):
        job = _upload(client, "job-work-memory", data, name)
        assert wait_for_job(client, job["id"])["status"] == "succeeded", name
    checked = client.post(
        "/api/v1/check",
        data={"collection": demo_collection},
        files={"file": ("claim.html", page, "text/html")},
    )
    assert checked.status_code == 202, checked.text  # longer than check_sync_chars
    report = wait_for_job(client, checked.json()["id"])["result"]
    assert report["source"] == "upload:claim.html"
    assert not (tmp_path / "missing").exists()

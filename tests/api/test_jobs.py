"""Jobs live in PostgreSQL: they survive a restart, and a dead worker's job is taken over."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.service import wait_for_job
from truthgraph.api.app import create_app
from truthgraph.db.jobs import ItemOutcome, JobStatus, PgJobStore
from truthgraph.settings import Settings
from truthgraph.wiring import ServiceParts

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"job_workers": 0}  # the first server runs no worker: its jobs stay queued


def test_a_queued_job_survives_a_server_restart(
    api_settings: Settings, service_parts: ServiceParts, demo_collection: str
) -> None:
    claims = ["Saxony is in Ireland.", "Tim Roth is an English actor."]
    first = create_app(api_settings, parts=service_parts)
    with TestClient(first) as client:
        assert first.state.runtime.wait_ready(60)
        job = client.post(
            "/api/v1/verify/batch", json={"claims": claims, "collection": demo_collection}
        ).json()
        assert client.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "queued"
    with_worker = api_settings.api.model_copy(update={"job_workers": 1})
    second = create_app(api_settings.model_copy(update={"api": with_worker}), parts=service_parts)
    with TestClient(second) as client:
        assert second.state.runtime.wait_ready(60)
        done = wait_for_job(client, job["id"])
    assert done["status"] == "succeeded"
    assert [i["result"]["claim"] for i in done["items"]] == claims


def _claim(jobs: PgJobStore, conn: object, job_id: object) -> bool:
    """Claim jobs on ``conn`` until ``job_id`` is among them (other tests' jobs may be older)."""
    while (job := jobs.claim_next(conn)) is not None:  # type: ignore[arg-type]
        if job.id == job_id:
            return True
    return False


def _claim_within(jobs: PgJobStore, conn: object, job_id: object, seconds: float) -> bool:
    """``_claim``, retried for ``seconds``: the server drops a closed session's advisory locks
    when its backend process exits, a moment after the client closes (longer on a busy CPU)."""
    deadline = time.monotonic() + seconds
    while not (claimed := _claim(jobs, conn, job_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return claimed


def test_a_running_job_whose_worker_died_is_taken_over_and_resumes(database_url: str) -> None:
    jobs = PgJobStore(database_url)
    dead_worker = jobs.lock_connection()
    survivor = jobs.lock_connection()
    try:
        job = jobs.create("verify", "crash-test", ["a", "b", "c"], {"top_k": 3})
        assert _claim(jobs, dead_worker, job.id)
        assert jobs.status(job.id) is JobStatus.RUNNING
        assert jobs.complete_items(job.id, [ItemOutcome(0, {"verdict": "SUPPORTED"})])
        assert not _claim(jobs, survivor, job.id)  # still owned while the worker lives
        dead_worker.close()  # the process died: its lock is gone
        assert _claim_within(jobs, survivor, job.id, 10.0)
        assert [i.input for i in jobs.pending_items(job.id)] == ["b", "c"]
        state = jobs.get(job.id)
        assert (state.done, state.total, state.params) == (1, 3, {"top_k": 3})
        jobs.cancel(job.id)
        assert not jobs.complete_items(job.id, [ItemOutcome(1, {"verdict": "REFUTED"})])
        assert jobs.get(job.id).done == 1
    finally:
        dead_worker.close()
        survivor.close()
        jobs.close()

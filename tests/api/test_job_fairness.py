"""Fair queues: each API key may queue only so many jobs, and the worker serves keys in turn
(issue 33: one key's 20 queued jobs held another's one-line job for about 11 minutes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from truthgraph.api.auth import Authenticator
from truthgraph.db.jobs import JobStatus, PgJobStore
from truthgraph.db.keys import ApiKeyRecord, hash_key

pytestmark = [pytest.mark.integration, pytest.mark.models]

API_SETTINGS = {"job_workers": 0, "max_queued_jobs_per_key": 3}  # jobs stay queued
BUSY = "tg_fairness-busy"
QUIET = "tg_fairness-quiet"


@pytest.fixture(scope="module")
def keyed(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    authenticator: Authenticator = app.state.authenticator
    keys = {
        hash_key(key): ApiKeyRecord(
            f"fairness-{key[-4:]}-{uuid.uuid4().hex[:6]}",
            key[:8],
            True,
            (),
            (),
            datetime.now(UTC),
            None,
        )
        for key in (BUSY, QUIET)
    }
    authenticator.attach(lambda: keys)
    yield client
    authenticator.attach(dict)


def test_a_key_may_queue_only_so_many_jobs(keyed: TestClient, demo_collection: str) -> None:
    def batch(key: str) -> int:
        return keyed.post(
            "/api/v1/verify/batch",
            json={"claims": ["Saxony is in Ireland."], "collection": demo_collection},
            headers={"X-API-Key": key},
        ).status_code

    assert [batch(BUSY) for _ in range(3)] == [202, 202, 202]
    refused = keyed.post(
        "/api/v1/verify/batch",
        json={"claims": ["Saxony is in Ireland."], "collection": demo_collection},
        headers={"X-API-Key": BUSY},
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "too_many_jobs"
    assert "TRUTHGRAPH_API_MAX_QUEUED_JOBS_PER_KEY" in refused.json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert batch(QUIET) == 202  # another key's queue is its own


def test_the_worker_serves_owners_in_turn(database_url: str) -> None:
    jobs = PgJobStore(database_url)
    conn = jobs.lock_connection()
    busy, quiet = f"busy-{uuid.uuid4().hex[:8]}", f"quiet-{uuid.uuid4().hex[:8]}"
    try:
        made = [jobs.create("verify", "fairness", ["a claim"], owner=busy) for _ in range(4)]
        made.append(jobs.create("verify", "fairness", ["a claim"], owner=quiet))
        mine = {j.id: owner for j, owner in zip(made, [busy] * 4 + [quiet], strict=True)}
        order: list[str] = []
        while len(order) < len(mine):
            job = jobs.claim_next(conn)
            assert job is not None
            if job.id in mine:
                order.append(mine[job.id])
            # finished, so the next claim looks past it (another module's job included)
            jobs.finish(job.id, JobStatus.SUCCEEDED)
            jobs.release(conn, job.id)
        # the quiet owner's one job runs second, not after the busy owner's four
        assert order == [busy, quiet, busy, busy, busy]
    finally:
        conn.close()
        jobs.close()

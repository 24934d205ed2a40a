"""GET /jobs/{id} (progress and results) and POST /jobs/{id}/cancel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from truthgraph.api.auth import Principal
from truthgraph.api.deps import PrincipalDep, ResourcesDep, find_visible
from truthgraph.api.runtime import Resources
from truthgraph.api.schemas import ErrorOut, JobItemOut, JobOut
from truthgraph.db.jobs import Job, JobKind

router = APIRouter(tags=["jobs"])
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 404, 422)}


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status.value,
        collection=job.collection,
        params=job.params,
        total=job.total,
        done=job.done,
        failed=job.failed,
        progress=round(job.done / job.total, 4) if job.total else 1.0,
        error=job.error,
        result=job.result,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        items=[
            JobItemOut(
                position=i.position,
                input=i.input,
                status=i.status,
                result=i.result,
                error=i.error,
            )
            for i in job.items
        ],
    )


async def queue_job(
    res: Resources,
    who: Principal,
    kind: JobKind,
    collection: str,
    inputs: Sequence[Any],
    params: dict[str, Any] | None = None,
) -> Job:
    """Queue a job owned by ``who`` (429 ``too_many_jobs`` past its quota) and wake the
    worker."""
    job = await run_in_threadpool(
        partial(
            res.jobs.create,
            kind,
            collection,
            inputs,
            params,
            owner=who.name,
            max_queued=res.settings.api.max_queued_jobs_per_key,
        )
    )
    if res.worker is not None:
        res.worker.wake()
    return job


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
async def get_job(
    job_id: uuid.UUID,
    res: ResourcesDep,
    who: PrincipalDep,
    items_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    items_limit: Annotated[int, Query(ge=0, le=1000)] = 100,
) -> JobOut:
    """A job's status and progress, with a page of its items (for a batch verification, each
    claim's verdict once done). Upload jobs list no items; their ``result`` counts what was
    stored."""
    probe = await find_visible(who, f"job with id {job_id}", lambda: res.jobs.get(job_id, 0, 0))
    limit = items_limit if probe.kind == "verify" else 0
    job = await run_in_threadpool(res.jobs.get, job_id, items_offset, limit)
    return job_out(job)


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, responses=ERRORS)
async def cancel_job(job_id: uuid.UUID, res: ResourcesDep, who: PrincipalDep) -> JobOut:
    """Cancel a queued or running job (a running one stops after its current chunk; what it
    finished is kept). A finished job is returned unchanged."""
    await find_visible(who, f"job with id {job_id}", lambda: res.jobs.get(job_id, 0, 0))
    job = await run_in_threadpool(res.jobs.cancel, job_id)
    return job_out(job)

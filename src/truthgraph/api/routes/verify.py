"""POST /verify (one claim, answered at once) and POST /verify/batch (a background job)."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from truthgraph.api.deps import MetricsDep, PrincipalDep, ResourcesDep, require_read
from truthgraph.api.routes.jobs import job_out, queue_job
from truthgraph.api.schemas import BatchVerifyRequest, ErrorOut, JobOut, VerdictOut, VerifyRequest
from truthgraph.errors import InvalidInputError

router = APIRouter(tags=["verification"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 413, 422, 429, 503)
}


@router.post(
    "/verify",
    response_model=None,
    responses={200: {"model": VerdictOut, "description": "the verdict"}, **ERRORS},
    summary="Verify one claim",
)
async def verify(
    body: VerifyRequest,
    request: Request,
    res: ResourcesDep,
    metrics: MetricsDep,
    who: PrincipalDep,
) -> JSONResponse:
    """Retrieve evidence for the claim from the collection, score it with the NLI verifier and
    return the verdict with its cited evidence and the time of each stage (the same object as
    ``truthgraph verify --json``). The verification is stored (see ``/claims``)."""
    require_read(who, body.collection)
    verifier = res.verifier
    options = verifier.options_with(top_k=body.top_k, strategy=body.strategy)
    verdict = await anyio.to_thread.run_sync(
        lambda: verifier.verify(body.claim, body.collection, options),
        limiter=request.app.state.verify_limiter,
    )
    request.state.stages_ms = {k: round(v, 2) for k, v in verdict.timings_ms.items()}
    metrics.observe_stages(verdict.timings_ms)
    return JSONResponse(verdict.to_dict())


def _check_claims(claims: list[str], max_claims: int, max_chars: int) -> None:
    if len(claims) > max_claims:
        raise InvalidInputError(f"{len(claims)} claims; a batch holds at most {max_claims}")
    for index, claim in enumerate(claims):
        length = len(" ".join(claim.split()))
        if length == 0:
            raise InvalidInputError(f"claims[{index}] is empty")
        if length > max_chars:
            raise InvalidInputError(
                f"claims[{index}] is {length} characters long; the limit is {max_chars}"
            )


@router.post(
    "/verify/batch",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS,
    summary="Verify many claims in the background",
)
async def verify_batch(
    body: BatchVerifyRequest, res: ResourcesDep, who: PrincipalDep
) -> JSONResponse:
    """Queue the claims as a job and return it at once (202); follow it at ``GET /jobs/{id}``.
    Jobs are kept in PostgreSQL: a server restart resumes them where they stopped."""
    require_read(who, body.collection)
    settings = res.settings
    _check_claims(body.claims, settings.api.max_batch_claims, settings.verification.max_claim_chars)
    res.verifier.options_with(top_k=body.top_k, strategy=body.strategy)  # validates them
    await run_in_threadpool(res.store.get_collection, body.collection)  # 404 before queueing
    params = {
        k: v for k, v in {"top_k": body.top_k, "strategy": body.strategy}.items() if v is not None
    }
    job = await queue_job(res, who, "verify", body.collection, list(body.claims), params)
    out = job_out(job)
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/api/v1/jobs/{job.id}"},
    )

"""History: GET /claims (search past verifications), GET /claims/{id}, GET /verdicts/{id}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from truthgraph.api.deps import PrincipalDep, ResourcesDep, find_visible, require_read
from truthgraph.api.schemas import MAX_ID, ClaimPage, ClaimSummaryOut, ErrorOut, VerdictOut
from truthgraph.domain import Label

router = APIRouter(tags=["history"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 422)
}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/claims", response_model=ClaimPage, responses=ERRORS)
async def list_claims(
    res: ResourcesDep,
    who: PrincipalDep,
    query: Annotated[str | None, Query(max_length=500, description="text the claim contains")] = (
        None
    ),
    collection: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ClaimPage:
    """Past verifications, newest first, of the collections the API key may read."""
    if collection is not None:
        require_read(who, collection)
    readable = None if who.readable is None else sorted(who.readable)
    items, total = await run_in_threadpool(
        res.store.list_claims, query or None, collection, limit, offset, readable
    )
    return ClaimPage(
        items=[
            ClaimSummaryOut(
                claim_id=c.claim_id,
                verdict_id=c.verdict_id,
                claim=c.claim,
                collection=c.collection,
                verdict=Label(c.label),
                confidence=round(c.confidence, 4),
                created_at=c.created_at,
            )
            for c in items
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/claims/{claim_id}", response_model=None, responses={200: {"model": VerdictOut}, **ERRORS}
)
async def get_claim(claim_id: Id, res: ResourcesDep, who: PrincipalDep) -> JSONResponse:
    """A past verification by its claim id (the ``claim_id`` of a verdict)."""
    verdict = await find_visible(
        who, f"claim with id {claim_id}", lambda: res.store.get_verdict(claim_id)
    )
    return JSONResponse(verdict.to_dict())


@router.get(
    "/verdicts/{verdict_id}",
    response_model=None,
    responses={200: {"model": VerdictOut}, **ERRORS},
)
async def get_verdict(verdict_id: Id, res: ResourcesDep, who: PrincipalDep) -> JSONResponse:
    """A past verdict by its own id."""
    verdict = await find_visible(
        who, f"verdict with id {verdict_id}", lambda: res.store.get_verdict_by_id(verdict_id)
    )
    return JSONResponse(verdict.to_dict())

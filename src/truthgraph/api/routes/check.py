"""POST /check: a whole text checked claim by claim (at once when short, else as a job)."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from truthgraph.api.auth import Principal
from truthgraph.api.deps import PrincipalDep, ResourcesDep, require_read
from truthgraph.api.errors import PayloadTooLarge, UnsupportedMediaType
from truthgraph.api.routes.jobs import job_out, queue_job
from truthgraph.api.runtime import Resources
from truthgraph.api.schemas import CheckRequest, ErrorOut, JobOut
from truthgraph.api.uploads import read_upload
from truthgraph.check.run import check_text, extraction_of
from truthgraph.check.source import CHECK_SUFFIXES, read_upload_source
from truthgraph.chunking import check_text_limits
from truthgraph.domain import RawDocument
from truthgraph.errors import InvalidInputError
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import read_url
from truthgraph.text import check_collection_name
from truthgraph.wiring import EXTRACTORS, build_extractor

router = APIRouter(tags=["check"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 413, 415, 422, 429, 503)
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .txt, .md, .html or .pdf file",
                        },
                        "collection": {"type": "string", "default": "default"},
                        "extractor": {"type": "string", "default": "builtin"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/check",
    response_model=None,
    responses={
        200: {"description": "the report: sentences, claims, verdicts, evidence, factuality"},
        202: {"model": JobOut, "description": "a long text, checked as a job"},
        **ERRORS,
    },
    openapi_extra=_BODY,
    summary="Check a whole text",
)
async def check(request: Request, res: ResourcesDep, who: PrincipalDep) -> JSONResponse:
    """Split the text into sentences, keep the check-worthy ones, split them into atomic
    claims, verify each claim against the collection and roll the verdicts up per sentence
    (SUPPORTED, REFUTED, PARTLY_SUPPORTED, NOT_ENOUGH_INFO) and for the text (counts and
    factuality, the share of claims supported). ``application/json`` ``{text | url,
    collection, extractor?, top_k?}`` or ``multipart/form-data`` with ``file`` (.txt, .md,
    .html, .pdf), ``collection`` and ``extractor``. A text of up to
    ``TRUTHGRAPH_API_CHECK_SYNC_CHARS`` characters is answered at once (200, the same object
    as ``truthgraph check --json``); a longer one is queued as a job (202): its report is the
    job's ``result`` at ``GET /jobs/{id}``. A text with no check-worthy sentence is 422
    ``nothing_to_check``. Verdicts are not stored."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    top_k: int | None
    if media == "application/json":
        body = await _json_body(request, res)
        _may_read(who, body.collection)  # before any fetching
        document = await _document_from_json(body, res)
        collection, extractor, top_k = body.collection, str(body.extractor), body.top_k
    elif media == "multipart/form-data":
        document, collection, extractor = await _document_from_upload(request, res, who)
        top_k = None
    else:
        raise UnsupportedMediaType("send application/json (text or url) or multipart/form-data")
    check_text_limits(document.text, res.settings.limits)  # before any splitting
    if extractor == "llm" and not res.settings.llm.base_url:
        raise InvalidInputError("this server has no LLM extractor (TRUTHGRAPH_LLM__BASE_URL)")
    if extractor not in EXTRACTORS:
        raise InvalidInputError(f"unknown extractor {extractor!r}; use one of {EXTRACTORS}")
    chosen = build_extractor(res.settings, extractor)
    verifier = res.verifier
    options = verifier.options_with(top_k=top_k, persist=False)
    await run_in_threadpool(res.store.get_collection, collection)  # 404 before any work
    if len(document.text) > res.settings.api.check_sync_chars:
        await run_in_threadpool(extraction_of, document.text, chosen)  # 422 before queueing
        params: dict[str, Any] = {"extractor": extractor}
        if top_k is not None:
            params["top_k"] = top_k
        job = await queue_job(
            res,
            who,
            "check",
            collection,
            [{"text": document.text, "source": document.origin or document.source}],
            params,
        )
        return JSONResponse(
            job_out(job).model_dump(mode="json"),
            status_code=202,
            headers={"Location": f"/api/v1/jobs/{job.id}"},
        )
    report = await anyio.to_thread.run_sync(
        lambda: check_text(
            verifier,
            document.text,
            collection,
            chosen,
            options,
            source=document.origin or document.source,
        ),
        limiter=request.app.state.verify_limiter,
    )
    return JSONResponse(report.to_dict())


async def _json_body(request: Request, res: Resources) -> CheckRequest:
    raw = await request.body()
    if len(raw) > res.settings.api.max_upload_bytes + 64 * 1024:
        raise PayloadTooLarge(f"the text is larger than {res.settings.api.max_upload_bytes} bytes")
    try:
        return CheckRequest.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


async def _document_from_json(body: CheckRequest, res: Resources) -> RawDocument:
    if (body.text is None) == (body.url is None):
        raise InvalidInputError('send "text" (the text to check) or "url", not both or neither')
    if body.text is not None:
        if not body.text.strip():
            raise InvalidInputError("the text is empty")
        return RawDocument(text=body.text, source="request")
    assert body.url is not None
    if not is_url(body.url):
        raise InvalidInputError(f"not an http(s) URL: {body.url[:200]}")
    return await run_in_threadpool(
        read_url,
        body.url,
        res.settings.fetch,
        res.settings.api.max_upload_bytes,
        res.settings.api.fetch_private_urls,
        res.settings.limits,
    )


def _may_read(who: Principal, collection: str) -> None:
    check_collection_name(collection)
    require_read(who, collection)


async def _document_from_upload(
    request: Request, res: Resources, who: Principal
) -> tuple[RawDocument, str, str]:
    limit = res.settings.api.max_upload_bytes
    form = await request.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    try:
        collection = form.get("collection") or "default"
        extractor = form.get("extractor") or "builtin"
        upload = form.get("file")
        if not isinstance(collection, str) or not isinstance(extractor, str):
            raise InvalidInputError("collection and extractor must be text")
        _may_read(who, collection)  # before the file is parsed
        filename, data = await read_upload(upload, CHECK_SUFFIXES, limit)
    finally:
        await form.close()
    document = await run_in_threadpool(_read_upload, filename, data, res)
    return document, collection, extractor


def _read_upload(filename: str, data: bytes, res: Resources) -> RawDocument:
    document = read_upload_source(filename, data, res.settings.limits)  # no temporary file
    if not document.text.strip():
        raise InvalidInputError(f"{filename}: the text is empty")
    return document

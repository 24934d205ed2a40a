"""POST /check: a whole text checked claim by claim (at once when short, else as a job)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from truthgraph.api.auth import Principal
from truthgraph.api.deps import PrincipalDep, ResourcesDep, require_read
from truthgraph.api.error_responses import Forbidden, PayloadTooLarge, UnsupportedMediaType
from truthgraph.api.routes.jobs import job_out, queue_job
from truthgraph.api.runtime import Resources
from truthgraph.api.schemas import (
    MAX_CHECK_DOCUMENTS,
    CheckRequest,
    DocumentIn,
    ErrorOut,
    JobOut,
)
from truthgraph.api.uploads import in_upload_pool, read_upload, upload_gate
from truthgraph.check.against import (
    MAX_DOCUMENT_CHARS,
    Limits,
    MemoryEvidenceStore,
    check_against,
    document_texts,
    read_against,
)
from truthgraph.check.report import LABELS, CheckReport
from truthgraph.check.run import Extracted, check_text, extracted
from truthgraph.check.source import CHECK_SUFFIXES, read_upload_source
from truthgraph.domain import RawDocument, check_collection_name
from truthgraph.errors import DocumentError, InvalidInputError
from truthgraph.extract import ClaimExtractor
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import SUFFIXES, documents_of, read_url
from truthgraph.reading.sentences import check_text_limits
from truthgraph.verify.options import replace_options
from truthgraph.wiring import EXTRACTORS, build_extractor, grounding_options

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
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .txt, .md, .html or .pdf file",
                        },
                        "text": {"type": "string", "description": "the text, in place of file"},
                        "collection": {"type": "string", "default": "default"},
                        "extractor": {"type": "string", "default": "builtin"},
                        "labels": {"type": "string", "default": "three-way"},
                        "document": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "documents to check against (any file ingest "
                            "reads), in place of collection",
                        },
                        "document_text": {"type": "array", "items": {"type": "string"}},
                        "document_url": {"type": "array", "items": {"type": "string"}},
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
    ``nothing_to_check``. Verdicts are not stored.

    ``documents`` in place of ``collection`` (JSON: ``[{"text"} | {"url"}]``; a form:
    ``document`` files, ``document_text`` and ``document_url`` fields) checks the text against
    those documents only, read, split and embedded in memory: answered at once, nothing
    stored, the documents' bytes within ``TRUTHGRAPH_API_MAX_UPLOAD_BYTES`` (413), private
    URLs refused unless ``TRUTHGRAPH_API_FETCH_PRIVATE_URLS``; an unusable document is 422
    ``invalid_document``. ``labels: "binary"`` gives SUPPORTED / NOT_SUPPORTED per sentence
    and per text."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    top_k: int | None
    given: list[RawDocument] | None = None
    labels = "three-way"
    if media == "application/json":
        body = await _json_body(request, res)
        if body.documents is None:
            _may_read(who, body.collection)  # before any fetching
        document = await _document_from_json(request, body, res)
        collection, extractor, top_k = body.collection, str(body.extractor), body.top_k
        labels = body.labels
        if body.documents is not None:
            if "collection" in body.model_fields_set:
                raise InvalidInputError('send "documents" or "collection", not both')
            with upload_gate(request).admit():  # its URLs fetched in the upload pool
                given = await in_upload_pool(request, _documents_from_json, body.documents, res)
    elif media == "multipart/form-data":
        form = await _document_from_upload(request, res, who)
        document, collection, extractor, labels, given = form
        top_k = None
    else:
        raise UnsupportedMediaType("send application/json (text or url) or multipart/form-data")
    if labels not in LABELS:
        raise InvalidInputError(f"labels must be one of {', '.join(LABELS)}")
    if given is not None:
        return await _check_against(request, res, who, document, given, extractor, top_k, labels)
    check_text_limits(document.text, res.settings.limits)  # before any splitting
    chosen = _extractor(res, extractor)
    verifier = res.verifier
    options = verifier.options_with(top_k=top_k, persist=False)
    await run_in_threadpool(res.store.get_collection, collection)  # 404 before any work
    if len(document.text) > res.settings.api.check_sync_chars:
        done = await run_in_threadpool(extracted, document.text, chosen)  # 422 before queueing
        params: dict[str, Any] = {"extractor": extractor}
        if labels != "three-way":
            params["labels"] = labels  # the job's report is labelled as asked
        if top_k is not None:
            params["top_k"] = top_k
        source = document.origin or document.source
        item = {"text": document.text, "source": source, "extraction": done.to_json()}
        job = await queue_job(res, who, "check", collection, [item], params)
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
    if labels != "three-way":
        report = replace(report, labels=labels)
    return JSONResponse(report.to_dict())


def _extractor(res: Resources, extractor: str) -> ClaimExtractor:
    if extractor == "llm" and not res.settings.llm.base_url:
        raise InvalidInputError("this server has no LLM extractor (TRUTHGRAPH_LLM__BASE_URL)")
    if extractor not in EXTRACTORS:
        raise InvalidInputError(f"unknown extractor {extractor!r}; use one of {EXTRACTORS}")
    return build_extractor(res.settings, extractor)


async def _check_against(
    request: Request,
    res: Resources,
    who: Principal,
    document: RawDocument,
    given: list[RawDocument],
    extractor: str,
    top_k: int | None,
    labels: str,
) -> JSONResponse:
    """The text checked against ``given`` documents in memory (the service's models, no
    database, no job: answered at once)."""
    if not (who.admin or who.read or who.write):  # any key with a scope; reads no collection
        raise Forbidden("this API key has no scope: it may not check texts")
    chosen = _extractor(res, extractor)
    text: str | Extracted = document.text
    if extractor != "llm":
        text = await run_in_threadpool(extracted, document.text, chosen)  # 422 before embedding
    verifier = res.verifier
    options = replace_options(grounding_options(res.settings), top_k=top_k, persist=False)
    limits = _limits(res)

    def run() -> CheckReport:
        r0 = time.perf_counter()
        documents = read_against(given, res.settings.fetch, limits)
        read_ms = (time.perf_counter() - r0) * 1000
        store = MemoryEvidenceStore(documents, res.embedder)
        return check_against(
            verifier,
            text,
            store,
            chosen,
            options,
            source=document.origin or document.source,
            labels=labels,
            read_ms=read_ms,
        )

    report = await anyio.to_thread.run_sync(run, limiter=request.app.state.verify_limiter)
    return JSONResponse(report.to_dict())


def _limits(res: Resources) -> Limits:
    api = res.settings.api
    return Limits(
        max_chars=min(MAX_DOCUMENT_CHARS, api.max_upload_bytes),
        max_file_bytes=api.max_upload_bytes,
        max_url_bytes=api.max_upload_bytes,
        allow_private_urls=api.fetch_private_urls,
    )


def _documents_from_json(documents: list[DocumentIn], res: Resources) -> list[RawDocument]:
    """Each ``{"text"}`` as a document, each ``{"url"}`` fetched (the service's fetch guard)."""
    limits = _limits(res)
    if not documents:
        raise DocumentError('"documents" is empty: give at least one')
    out: list[RawDocument] = []
    for number, item in enumerate(documents, start=1):
        where = f"document {number}"
        if (item.text is None) == (item.url is None):
            raise DocumentError(f'{where}: send "text" or "url", not both or neither')
        if item.text is not None:
            (text,) = document_texts([item.text], item.title)
            out.append(replace(text, source=where))
        else:
            assert item.url is not None
            if not is_url(item.url):
                raise DocumentError(f"{where}: not an http(s) URL: {item.url[:200]}")
            out.extend(read_against([item.url], res.settings.fetch, limits))
    if sum(len(d.text.encode()) for d in out) > res.settings.api.max_upload_bytes:
        raise PayloadTooLarge(
            f"the documents are larger than {res.settings.api.max_upload_bytes} bytes"
        )
    return out


async def _json_body(request: Request, res: Resources) -> CheckRequest:
    raw = await request.body()
    if len(raw) > res.settings.api.max_upload_bytes + 64 * 1024:
        raise PayloadTooLarge(f"the text is larger than {res.settings.api.max_upload_bytes} bytes")
    try:
        return CheckRequest.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


async def _document_from_json(request: Request, body: CheckRequest, res: Resources) -> RawDocument:
    if (body.text is None) == (body.url is None):
        raise InvalidInputError('send "text" (the text to check) or "url", not both or neither')
    if body.text is not None:
        if not body.text.strip():
            raise InvalidInputError("the text is empty")
        return RawDocument(text=body.text, source="request")
    assert body.url is not None
    if not is_url(body.url):
        raise InvalidInputError(f"not an http(s) URL: {body.url[:200]}")
    with upload_gate(request).admit():  # the upload pool: 503 when full, no thread of the rest
        return await in_upload_pool(
            request,
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
) -> tuple[RawDocument, str, str, str, list[RawDocument] | None]:
    """The form's text (``file`` or ``text``), collection, extractor, labels, and its
    documents to check against (None when it names none); the key's read access to the
    collection is checked before anything is parsed."""
    limit = res.settings.api.max_upload_bytes
    form = await request.form(
        max_files=1 + MAX_CHECK_DOCUMENTS,
        max_fields=6 + 2 * MAX_CHECK_DOCUMENTS,
        max_part_size=1024 * 1024,
    )
    try:
        collection = form.get("collection")
        extractor = form.get("extractor") or "builtin"
        labels = form.get("labels") or "three-way"
        text = form.get("text")
        uploads = form.getlist("document")
        texts = form.getlist("document_text")
        urls = form.getlist("document_url")
        fields = (collection or "", extractor, labels, text or "", *texts, *urls)
        if not all(isinstance(f, str) for f in fields):
            raise InvalidInputError("collection, extractor, labels and text must be text")
        assert isinstance(extractor, str) and isinstance(labels, str)
        given: list[tuple[str, bytes]] | None = None
        if uploads or texts or urls:
            if collection:
                raise InvalidInputError("send documents or a collection, not both")
            if len(uploads) + len(texts) + len(urls) > MAX_CHECK_DOCUMENTS:
                raise InvalidInputError(f"at most {MAX_CHECK_DOCUMENTS} documents")
            given = [await read_upload(u, SUFFIXES, limit) for u in uploads]
            if sum(len(d) for _, d in given) > limit:
                raise PayloadTooLarge(f"the documents are larger than {limit} bytes")
        else:
            _may_read(who, str(collection or "default"))  # before the file is parsed
        if isinstance(text, str) and text.strip():
            if form.get("file") is not None:
                raise InvalidInputError("send the text as file or as text, not both")
            filename, data = "text.txt", text.encode()
        else:
            filename, data = await read_upload(form.get("file"), CHECK_SUFFIXES, limit)
    finally:
        await form.close()
    # parsed in the upload pool (the upload holds its place in the pool's gate since the door)
    document = await in_upload_pool(request, _read_upload, filename, data, res)
    documents: list[RawDocument] | None = None
    if given is not None:
        documents = await in_upload_pool(request, _read_given, given, texts, urls, res)
    assert isinstance(collection, str | None)
    return document, collection or "default", extractor, labels, documents


def _read_given(
    files: list[tuple[str, bytes]], texts: list[Any], urls: list[Any], res: Resources
) -> list[RawDocument]:
    """Uploaded documents read with ingest's readers from memory (no temporary file), then
    the pasted texts and the URLs."""
    documents: list[RawDocument] = []
    for filename, data in files:
        try:
            read = documents_of(filename, data, f"upload:{filename}", res.settings.limits)
            found = read_against(read, res.settings.fetch, _limits(res))
        except DocumentError:
            raise
        except InvalidInputError as exc:
            raise DocumentError(f"{filename}: {exc}") from exc
        documents.extend(replace(d, source=filename, origin=None) for d in found)
    items = [DocumentIn(text=t) for t in texts if str(t).strip()]
    items += [DocumentIn(url=u) for u in urls if str(u).strip()]
    if texts and not any(str(t).strip() for t in texts) and not files and not urls:
        raise DocumentError("the document is empty")
    if items:
        documents.extend(_documents_from_json(items, res))
    return documents


def _read_upload(filename: str, data: bytes, res: Resources) -> RawDocument:
    document = read_upload_source(filename, data, res.settings.limits)  # no temporary file
    if not document.text.strip():
        raise InvalidInputError(f"{filename}: the text is empty")
    return document

"""Documents and collections: POST /documents (JSON or file upload), GET and DELETE
/documents/{id}, GET /collections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from truthgraph.api.auth import Principal
from truthgraph.api.deps import (
    PrincipalDep,
    ResourcesDep,
    find_visible,
    require_write,
)
from truthgraph.api.error_responses import PayloadTooLarge, UnsupportedMediaType
from truthgraph.api.routes.jobs import job_out, queue_job
from truthgraph.api.runtime import Resources
from truthgraph.api.schemas import (
    MAX_ID,
    CollectionList,
    CollectionOut,
    DocumentCreate,
    DocumentCreated,
    DocumentDeleted,
    DocumentOut,
    ErrorOut,
    JobOut,
)
from truthgraph.api.uploads import in_upload_pool, read_upload, upload_gate
from truthgraph.api.worker import document_to_json
from truthgraph.db.records import DocumentRecord
from truthgraph.domain import RawDocument, check_collection_name
from truthgraph.errors import DatasetError, InvalidInputError
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.pipeline import content_hash, ingest
from truthgraph.ingest.sources import SUFFIXES, documents_of, read_url
from truthgraph.reading.sentences import check_text_limits, split_sentences
from truthgraph.settings import LimitsSettings

router = APIRouter(tags=["documents"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 404, 413, 415, 422, 429, 503)
}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DocumentCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .jsonl, .csv, .txt, .md, .html or .pdf file",
                        },
                        "collection": {"type": "string", "default": "default"},
                    },
                }
            },
        },
    }
}


def document_out(record: DocumentRecord) -> DocumentOut:
    return DocumentOut(
        id=record.id,
        collection=record.collection,
        title=record.title,
        source=record.source,
        url=record.url,
        external_id=record.external_id,
        metadata=record.metadata,
        created_at=record.created_at,
        sentences=record.sentences,
        text=record.content,
        origin=record.origin,
        version=record.version,
        fetched_at=record.fetched_at,
        superseded_at=record.superseded_at,
    )


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentCreated,
    responses={202: {"model": JobOut, "description": "a file upload, ingested as a job"}, **ERRORS},
    openapi_extra=_UPLOAD_BODY,
    summary="Add a document (JSON) or upload a file of documents",
)
async def create_document(request: Request, res: ResourcesDep, who: PrincipalDep) -> JSONResponse:
    """``application/json`` ``{collection, text, title?, source?, url?, external_id?,
    metadata?}`` stores one document at once (201; the same text twice is stored once).
    ``application/json`` ``{collection, url}`` without ``text`` fetches the URL, reads it as a
    web page or PDF (by its content type) and stores it at once (201; unchanged content is not
    stored again, 200; changed content is stored as the URL's next version).
    ``multipart/form-data`` with ``file`` (.jsonl, .csv, .txt, .md, .html, .pdf) and
    ``collection`` checks the whole file, then ingests it as a job (202): follow its progress
    at ``GET /jobs/{id}``.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        return await _create_from_json(request, res, who)
    if media == "multipart/form-data":
        return await _create_from_upload(request, res, who)
    raise UnsupportedMediaType(
        "send application/json (one document) or multipart/form-data (a file)"
    )


async def _create_from_json(request: Request, res: Resources, who: Principal) -> JSONResponse:
    limit = res.settings.api.max_upload_bytes
    raw = await request.body()
    if len(raw) > limit + 64 * 1024:
        raise PayloadTooLarge(f"the document is larger than {limit} bytes")
    try:
        body = DocumentCreate.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    require_write(who, body.collection)
    if body.text is None:
        return await _create_from_url(request, body, res)
    if not body.text.strip():
        raise InvalidInputError("the document text is empty")
    if len(body.text.encode()) > limit:
        raise PayloadTooLarge(f"the document is larger than {limit} bytes")
    document = RawDocument(
        text=body.text,
        title=body.title,
        source=body.source,
        url=body.url,
        external_id=body.external_id,
        metadata=body.metadata,
    )
    with res.gate.admit():
        record, created, sentences = await run_in_threadpool(
            _store_one, res, document, body.collection
        )
    out = DocumentCreated(document=document_out(record), created=created, sentences_added=sentences)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


async def _create_from_url(request: Request, body: DocumentCreate, res: Resources) -> JSONResponse:
    if body.url is None:
        raise InvalidInputError('send "text" (a document) or "url" (a page or PDF to fetch)')
    if not is_url(body.url):
        raise InvalidInputError(f"not an http(s) URL: {body.url[:200]}")
    limit = res.settings.api.max_upload_bytes
    with upload_gate(request).admit():  # the upload pool: 503 when full, no thread of the rest
        document = await in_upload_pool(
            request,
            read_url,
            body.url,
            res.settings.fetch,
            limit,
            res.settings.api.fetch_private_urls,
            res.settings.limits,
        )
    with res.gate.admit():
        record, created, sentences = await run_in_threadpool(
            _store_one, res, document, body.collection
        )
    out = DocumentCreated(document=document_out(record), created=created, sentences_added=sentences)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


def _store_one(
    res: Resources, document: RawDocument, collection: str
) -> tuple[DocumentRecord, bool, int]:
    check_text_limits(document.text, res.settings.limits)  # before any splitting
    if not split_sentences(document.text):  # checked before the collection is created
        raise InvalidInputError("the document holds no sentences to store")
    embedder = res.embedder
    target = res.store.ensure_collection(
        collection, embedder.name, embedder.dimension, res.settings.retrieval
    )
    report = ingest(
        [document],
        target,
        res.store,
        embedder,
        limits=res.settings.limits,
        checkpoint=res.stop_if_stopping,  # a shutdown stops the work, nothing half stored
    )
    document_id = res.store.find_document_id(target, content_hash(document))
    if document_id is None:
        raise InvalidInputError("the document holds no sentences to store")
    return res.store.get_document(document_id), report.documents_added == 1, report.sentences_added


def parse_upload(
    filename: str, data: bytes, limits: LimitsSettings | None = None
) -> list[RawDocument]:
    """Read every document of an uploaded file (DatasetError if it is malformed). An uploaded
    page or PDF has the origin ``upload:<file name>``: uploading a changed file of the same
    name stores its next version."""
    # read from memory: no temporary file, so a server killed mid-parse leaves nothing behind
    documents = documents_of(filename, data, f"upload:{filename}", limits)
    if not documents:
        raise DatasetError("the sources hold no documents with text")
    for document in documents:  # refused before the job is queued
        check_text_limits(document.text, limits or LimitsSettings(), filename)
    return documents


async def _create_from_upload(request: Request, res: Resources, who: Principal) -> JSONResponse:
    limit = res.settings.api.max_upload_bytes
    form = await request.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    try:
        collection = form.get("collection") or "default"
        upload = form.get("file")
        if not isinstance(collection, str):
            raise InvalidInputError("collection must be a name of 1 to 200 characters")
        check_collection_name(collection)
        require_write(who, collection)
        filename, data = await read_upload(upload, SUFFIXES, limit)
    finally:
        await form.close()
    documents = await in_upload_pool(request, parse_upload, filename, data, res.settings.limits)
    embedder = res.embedder
    await run_in_threadpool(
        res.store.ensure_collection,
        collection,
        embedder.name,
        embedder.dimension,
        res.settings.retrieval,
    )
    job = await queue_job(
        res, who, "ingest", collection, [document_to_json(d) for d in documents], {"file": filename}
    )
    return JSONResponse(
        job_out(job).model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/api/v1/jobs/{job.id}"},
    )


@router.get("/documents/{document_id}", response_model=DocumentOut, responses=ERRORS)
async def get_document(document_id: Id, res: ResourcesDep, who: PrincipalDep) -> DocumentOut:
    """A stored document with its text and the number of evidence sentences."""
    record = await find_visible(
        who, f"document with id {document_id}", lambda: res.store.get_document(document_id)
    )
    return document_out(record)


@router.delete(
    "/documents/{document_id}",
    response_model=DocumentDeleted,
    responses=ERRORS,
)
async def delete_document(document_id: Id, res: ResourcesDep, who: PrincipalDep) -> DocumentDeleted:
    """Delete a document: its evidence sentences leave the vector and keyword indexes at once.
    Past verdicts keep their copy of the text they cited."""
    found = await find_visible(
        who, f"document with id {document_id}", lambda: res.store.get_document(document_id)
    )
    require_write(who, found.collection)
    record = await run_in_threadpool(res.store.delete_document, document_id)
    return DocumentDeleted(
        id=record.id, collection=record.collection, sentences_removed=record.sentences
    )


@router.get("/collections", response_model=CollectionList)
async def list_collections(res: ResourcesDep, who: PrincipalDep) -> CollectionList:
    """The collections the API key may read, with their embedding model, index, and document
    and sentence counts."""
    rows = [
        row
        for row in await run_in_threadpool(res.store.list_collections)
        if who.can_read(row[0].name)
    ]
    return CollectionList(
        collections=[
            CollectionOut(
                name=c.name,
                embedding_model=c.embedding_model,
                embedding_dim=c.embedding_dim,
                index_type=c.index_type,
                documents=documents,
                evidence=evidence,
            )
            for c, documents, evidence in rows
        ]
    )

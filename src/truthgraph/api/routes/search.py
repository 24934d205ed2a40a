"""POST /search: evidence search by vector, keyword, or both (hybrid), with scores."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from truthgraph.api.deps import PrincipalDep, ResourcesDep, require_read
from truthgraph.api.schemas import ErrorOut, SearchHitOut, SearchRequest, SearchResponse
from truthgraph.domain import EvidenceHit
from truthgraph.errors import ConfigError, InvalidInputError
from truthgraph.ports import SearchParams
from truthgraph.verify.fusion import keyword_only, reciprocal_rank_fusion, vector_only

router = APIRouter(tags=["search"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 422, 429, 503)
}


@router.post("/search", response_model=SearchResponse, responses=ERRORS)
async def search(body: SearchRequest, res: ResourcesDep, who: PrincipalDep) -> SearchResponse:
    """``vector``: nearest sentences by cosine similarity of the query's embedding.
    ``keyword``: PostgreSQL full-text search (web-search syntax: quotes, ``or``, ``-word``).
    ``hybrid`` (default): both, merged by reciprocal rank fusion."""
    require_read(who, body.collection)
    if len(body.query) > res.settings.api.max_text_chars:
        raise InvalidInputError(f"the query is longer than {res.settings.api.max_text_chars}")
    if not body.query.strip():
        raise InvalidInputError("the query is empty")
    collection = await run_in_threadpool(res.store.get_collection, body.collection)
    vector_hits: list[EvidenceHit] = []
    keyword_hits: list[EvidenceHit] = []
    if body.mode in ("vector", "hybrid"):
        if collection.embedding_model != res.embedder.name:
            raise ConfigError(
                f"collection {collection.name!r} was embedded with "
                f"{collection.embedding_model}; the service runs {res.embedder.name}"
            )
        vectors = await asyncio.wrap_future(res.embedder.submit([body.query]))
        retrieval = res.settings.retrieval
        params = SearchParams(body.top_k, retrieval.hnsw_ef_search, retrieval.ivfflat_probes)
        [vector_hits] = await run_in_threadpool(
            res.store.search, collection, np.stack(vectors), params
        )
    if body.mode in ("keyword", "hybrid"):
        keyword_hits = await run_in_threadpool(
            res.store.keyword_search, collection, body.query, body.top_k
        )
    if body.mode == "vector":
        ranked = vector_only(vector_hits)
    elif body.mode == "keyword":
        ranked = keyword_only(keyword_hits)
    else:
        ranked = reciprocal_rank_fusion(vector_hits, keyword_hits, body.top_k)
    return SearchResponse(
        query=body.query,
        collection=collection.name,
        mode=body.mode,
        results=[
            SearchHitOut(
                evidence_id=r.hit.evidence_id,
                document_id=r.hit.document_id,
                text=r.hit.text,
                title=r.hit.title,
                source=r.hit.source,
                url=r.hit.url,
                start=r.hit.start,
                end=r.hit.end,
                origin=r.hit.origin,
                page=r.hit.page,
                version=r.hit.version,
                fetched_at=r.hit.fetched_at,
                content_hash=r.hit.content_hash,
                score=round(r.score, 6),
                vector_similarity=None
                if r.vector_similarity is None
                else round(r.vector_similarity, 4),
                keyword_rank=None if r.keyword_rank is None else round(r.keyword_rank, 6),
            )
            for r in ranked
        ],
    )

"""Wire models: what the HTTP API accepts and returns (apart from the domain types).

Request models forbid unknown fields, so a misspelt option is a 422, not silently ignored.
Limits that depend on settings (claim length, batch size, text length) are checked in the
routes; the ``Field`` bounds here are the hard ceilings.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from truthgraph.domain import Label, Strategy, check_json
from truthgraph.errors import InvalidInputError
from truthgraph.ingest.fetch import is_url
from truthgraph.ml.nli.labels import NLILabel

HARD_MAX_CHARS = 100_000
MAX_ID = 2**63 - 1  # PostgreSQL bigint
CollectionName = Field(default="default", min_length=1, max_length=200)


class _Request(BaseModel):
    """Unknown fields are refused, and so is text that cannot be stored (``truthgraph.domain``):
    both are 422 before any model runs."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _storable_text(self) -> Self:
        for name in type(self).model_fields:
            try:
                check_json(_plain(getattr(self, name)), name)
            except InvalidInputError as exc:
                raise ValueError(str(exc)) from exc
        return self


def _plain(value: Any) -> Any:
    """A request field as JSON-like values (nested models as dicts)."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# verification ----------------------------------------------------------------------------


class VerifyRequest(_Request):
    claim: str = Field(
        min_length=1, max_length=HARD_MAX_CHARS, examples=["Tim Roth is an English actor."]
    )
    collection: str = CollectionName
    top_k: int | None = Field(default=None, ge=1, le=200)
    strategy: Strategy | None = None


class BatchVerifyRequest(_Request):
    claims: list[str] = Field(min_length=1, max_length=100_000)
    collection: str = CollectionName
    top_k: int | None = Field(default=None, ge=1, le=200)
    strategy: Strategy | None = None


MAX_CHECK_DOCUMENTS = 20


class DocumentIn(_Request):
    """A document to check a text against: its ``text``, or a ``url`` to fetch (not both)."""

    text: str | None = Field(default=None, max_length=HARD_MAX_CHARS * 20)
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=1000)


class CheckRequest(_Request):
    """A text to check (or a URL to fetch and check) against a collection, or against the
    ``documents`` it came with (then no ``collection``)."""

    text: str | None = Field(
        default=None,
        max_length=1_000_000,
        examples=["Luc Besson produced Colombiana. Janelle Monáe is Canadian."],
    )
    url: str | None = Field(default=None, max_length=2000)
    collection: str = CollectionName
    documents: list[DocumentIn] | None = Field(
        default=None,
        max_length=MAX_CHECK_DOCUMENTS,
        description="check against these documents instead of a collection: nothing stored",
    )
    extractor: Literal["builtin", "sentence", "llm"] = "builtin"
    top_k: int | None = Field(default=None, ge=1, le=200)
    labels: Literal["three-way", "binary"] = "three-way"


class NLIScoresOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entailment: float
    neutral: float
    contradiction: float


class _SentenceOut(BaseModel):
    """A stored evidence sentence and where it is: its document and character offsets."""

    evidence_id: int
    document_id: int
    text: str
    title: str | None
    source: str | None
    url: str | None
    start: int
    end: int
    # provenance, for documents read from web pages, PDFs and URLs (null for others)
    origin: str | None = Field(default=None, description="the URL or file it was read from")
    page: int | None = Field(default=None, description="the PDF page (1-based)")
    version: int | None = Field(default=None, description="the version of the origin's content")
    fetched_at: str | None = Field(default=None, description="when that version was read")
    content_hash: str | None = Field(default=None, description="that version's content hash")


class EvidenceOut(_SentenceOut):
    """A cited evidence sentence: where it is (document, offsets) and how it scored."""

    model_config = ConfigDict(extra="forbid")

    similarity: float
    label: Label
    nli: NLIScoresOut
    read_with: str | None = Field(
        default=None,
        description="the sentence before it in its document, where the verifier read it too "
        "(checking against given documents does); the citation stays this sentence",
    )


class SecondOpinionOut(BaseModel):
    """A second verifier read the claim again, because the first was unsure."""

    model_config = ConfigDict(extra="forbid")

    verifier: str = Field(description="the verifier that read it again")
    adopted: bool = Field(description="its verdict is the one given (it was more confident)")


class VerdictOut(BaseModel):
    """The verdict object, the same as ``truthgraph verify --json`` prints."""

    model_config = ConfigDict(extra="forbid")

    claim_id: int | None
    verdict_id: int | None
    claim: str
    verdict: Label
    confidence: float
    scores: dict[str, float]
    strategy: Strategy
    collection: str
    created_at: str | None
    evidence: list[EvidenceOut]
    timings_ms: dict[str, float]
    second_opinion: SecondOpinionOut | None = Field(
        default=None, description="null where no second verifier read the claim"
    )


# jobs --------------------------------------------------------------------------------------


class JobItemOut(BaseModel):
    position: int
    input: Any
    status: Literal["pending", "done", "failed"]
    result: Any = None
    error: str | None = None


class JobOut(BaseModel):
    id: uuid.UUID
    kind: Literal["verify", "ingest", "check"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    collection: str
    params: dict[str, Any]
    total: int
    done: int
    failed: int
    progress: float = Field(description="done / total, from 0 to 1")
    error: str | None
    result: Any = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    items: list[JobItemOut] = Field(
        default_factory=list, description="a page of items (items_offset, items_limit)"
    )


# history -----------------------------------------------------------------------------------


class ClaimSummaryOut(BaseModel):
    claim_id: int
    verdict_id: int
    claim: str
    collection: str
    verdict: Label
    confidence: float
    created_at: str


class ClaimPage(BaseModel):
    items: list[ClaimSummaryOut]
    total: int
    limit: int
    offset: int


# documents ---------------------------------------------------------------------------------


def _http_url(value: str | None) -> str | None:
    """A document's ``url`` is an http(s) URL with a host, never ``javascript:``, ``data:``,
    ``file:`` or another scheme (it is shown as a link on the web page)."""
    if value is None:
        return None
    host = urlsplit(value.strip()).netloc if is_url(value) else ""
    if not host or any(c.isspace() or ord(c) < 32 for c in value.strip()):
        raise ValueError("url must be an http:// or https:// URL with a host")
    return value.strip()


class DocumentCreate(_Request):
    """One document as JSON: its ``text``, or only a ``url`` (http or https) to fetch and read
    as a web page or PDF. For files, send ``multipart/form-data`` with ``file``."""

    collection: str = CollectionName
    text: str | None = Field(default=None, min_length=1)
    title: str | None = Field(default=None, max_length=1000)
    source: str | None = Field(default=None, max_length=1000)
    url: str | None = Field(default=None, max_length=4000)
    external_id: str | None = Field(default=None, max_length=1000)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        return _http_url(value)


class DocumentOut(BaseModel):
    id: int
    collection: str
    title: str | None
    source: str | None
    url: str | None
    external_id: str | None
    metadata: dict[str, Any]
    created_at: str | None
    sentences: int
    text: str
    origin: str | None = Field(default=None, description="the URL or file it was read from")
    version: int | None = Field(default=None, description="the version of the origin's content")
    fetched_at: str | None = None
    superseded_at: str | None = Field(
        default=None, description="when a newer version took its sentences out of search"
    )


class DocumentCreated(BaseModel):
    document: DocumentOut
    created: bool = Field(description="false when the same document was already stored")
    sentences_added: int


class DocumentDeleted(BaseModel):
    id: int
    collection: str
    sentences_removed: int


class CollectionOut(BaseModel):
    name: str
    embedding_model: str
    embedding_dim: int
    index_type: str
    documents: int
    evidence: int


class CollectionList(BaseModel):
    collections: list[CollectionOut]


# search and raw models ---------------------------------------------------------------------


class SearchRequest(_Request):
    query: str = Field(min_length=1, max_length=HARD_MAX_CHARS)
    collection: str = CollectionName
    top_k: int = Field(default=10, ge=1, le=200)
    mode: Literal["hybrid", "vector", "keyword"] = "hybrid"


class SearchHitOut(_SentenceOut):
    score: float = Field(description="the ranking score of the chosen mode")
    vector_similarity: float | None = Field(description="cosine similarity, when found by vector")
    keyword_rank: float | None = Field(description="ts_rank_cd score, when found by keyword")


class SearchResponse(BaseModel):
    query: str
    collection: str
    mode: str
    results: list[SearchHitOut]


class EmbedRequest(_Request):
    texts: list[str] = Field(min_length=1, max_length=10_000)


class EmbedResponse(BaseModel):
    model: str
    dimension: int
    embeddings: list[list[float]]


class NLIRequest(_Request):
    premise: str = Field(min_length=1, max_length=HARD_MAX_CHARS)
    hypothesis: str = Field(min_length=1, max_length=HARD_MAX_CHARS)


class NLIResultOut(BaseModel):
    label: NLILabel
    confidence: float
    scores: NLIScoresOut


class NLIResponse(NLIResultOut):
    model: str


class NLIBatchRequest(_Request):
    pairs: list[NLIRequest] = Field(min_length=1, max_length=10_000)


class NLIBatchResponse(BaseModel):
    model: str
    results: list[NLIResultOut]


# service -----------------------------------------------------------------------------------


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready", "starting", "failed"]
    models: dict[str, str] = Field(default_factory=dict)
    backends: dict[str, str] = Field(
        default_factory=dict, description="the class that runs each model"
    )
    load_ms: dict[str, float] = Field(default_factory=dict)
    database: str | None = None
    error: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody

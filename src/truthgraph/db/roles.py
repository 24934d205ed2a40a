"""The roles of the database classes, for the code that receives them from ``wiring``.

``wiring`` builds the concrete classes (``db/store.py``, ``db/jobs.py``, ``db/keys.py``); the
CLI, the service, the worker, the Ray stages and the measuring tools name these protocols
instead, so the concrete classes are named only here in ``db/`` and in ``wiring``
(``tests/test_layers.py`` checks it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
import psycopg

from truthgraph.db.jobs import ItemOutcome, Job, JobItem, JobKind, JobStatus
from truthgraph.db.keys import ApiKeyRecord
from truthgraph.db.records import ClaimSummary, DocumentRecord
from truthgraph.domain import EvidenceHit, RawDocument, Sentence, Verdict
from truthgraph.ports import Collection, EvidenceStore, NLICache
from truthgraph.settings import RetrievalSettings


class Pooled(Protocol):
    """A pool of connections to one database."""

    url: str

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A pooled connection (the measuring tools read the database's own figures)."""
        ...

    def close(self) -> None: ...

    def ping(self) -> None: ...


class EvidenceDatabase(Pooled, EvidenceStore, NLICache, Protocol):
    """Collections, documents, search, the NLI cache and verdicts (``PgvectorEvidenceStore``):
    an ``EvidenceStore`` and an ``NLICache`` (from ``ports``), and an ``IngestStore``, at
    once."""

    def list_collections(self) -> list[tuple[Collection, int, int]]: ...

    def ensure_collection(
        self, name: str, embedding_model: str, embedding_dim: int, retrieval: RetrievalSettings
    ) -> Collection: ...

    def build_index(self, collection: Collection) -> None: ...

    def analyze(self) -> None: ...

    def drop_index(self, collection: Collection) -> None: ...

    def index_size(self, collection: Collection) -> int: ...

    def rebuild_index(self, collection: Collection, maintenance_work_mem: str = "1GB") -> None: ...

    def evidence_ids_in_order(self, collection: Collection) -> list[int]: ...

    def drop_collection(self, name: str) -> None: ...

    def known_hashes(self, collection: Collection, hashes: Sequence[str]) -> set[str]: ...

    def add_documents(
        self,
        collection: Collection,
        documents: Sequence[tuple[RawDocument, str, Sequence[Sentence]]],
        embeddings: np.ndarray,
    ) -> int: ...

    def count_evidence(self, collection: Collection) -> int: ...

    def get_document(self, document_id: int) -> DocumentRecord: ...

    def find_document_id(self, collection: Collection, content_hash: str) -> int | None: ...

    def delete_document(self, document_id: int) -> DocumentRecord: ...

    def keyword_search(
        self, collection: Collection, query: str, top_k: int
    ) -> list[EvidenceHit]: ...

    def get_verdict(self, claim_id: int) -> Verdict: ...

    def list_claims(
        self,
        query: str | None = None,
        collection: str | None = None,
        limit: int = 20,
        offset: int = 0,
        collections: Sequence[str] | None = None,
    ) -> tuple[list[ClaimSummary], int]: ...

    def get_verdict_by_id(self, verdict_id: int) -> Verdict: ...


class JobStore(Pooled, Protocol):
    """The service's queue of background jobs (``PgJobStore``)."""

    def create(
        self,
        kind: JobKind,
        collection: str,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        owner: str = "",
        max_queued: int | None = None,
    ) -> Job: ...

    def cancel(self, job_id: uuid.UUID) -> Job: ...

    def complete_items(self, job_id: uuid.UUID, outcomes: Sequence[ItemOutcome]) -> bool: ...

    def set_progress(self, job_id: uuid.UUID, done: int) -> bool: ...

    def finish(
        self,
        job_id: uuid.UUID,
        status: JobStatus,
        error: str | None = None,
        result: Any = None,
    ) -> None: ...

    def get(self, job_id: uuid.UUID, items_offset: int = 0, items_limit: int = 100) -> Job: ...

    def pending_items(self, job_id: uuid.UUID) -> list[JobItem]: ...

    def all_inputs(self, job_id: uuid.UUID) -> list[Any]: ...

    def status(self, job_id: uuid.UUID) -> JobStatus: ...

    def lock_connection(self) -> psycopg.Connection[Any]: ...

    def claim_next(self, lock_conn: psycopg.Connection[Any]) -> Job | None: ...

    def release(self, lock_conn: psycopg.Connection[Any], job_id: uuid.UUID) -> None: ...


class KeyStore(Pooled, Protocol):
    """The service's API keys (``PgKeyStore``)."""

    def add(
        self,
        name: str,
        read: Sequence[str] = (),
        write: Sequence[str] = (),
        admin: bool = False,
    ) -> tuple[str, ApiKeyRecord]: ...

    def list(self) -> list[ApiKeyRecord]: ...

    def revoke(self, name: str) -> ApiKeyRecord: ...

    def active_keys(self) -> dict[str, ApiKeyRecord]: ...

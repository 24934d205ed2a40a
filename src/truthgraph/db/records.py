"""Read models the HTTP service gets from the database: stored documents and claim history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A stored document with the number of evidence sentences it was split into."""

    id: int
    collection: str
    content: str
    sentences: int
    title: str | None = None
    source: str | None = None
    url: str | None = None
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None
    # provenance of a web page, PDF or URL (see db.provenance)
    origin: str | None = None
    version: int | None = None
    fetched_at: str | None = None
    superseded_at: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """One past verification, as listed in the history."""

    claim_id: int
    verdict_id: int
    claim: str
    collection: str
    label: str
    confidence: float
    created_at: str

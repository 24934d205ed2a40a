"""Frozen value types shared by every layer, and the one check on text that comes from outside.

Standard library and ``truthgraph.errors`` only.

Every text that enters TruthGraph (claims, documents, names, queries, metadata; through the
CLI, the HTTP API or the library) is checked here, before any model runs or anything is
written. PostgreSQL cannot store U+0000 in ``text`` or ``jsonb``, and the other C0 control
characters are never meaningful in prose, so:

- U+0000 and the C0 control characters other than tab, line feed, vertical tab, form feed
  and carriage return are rejected with ``InvalidInputError`` (exit 3, HTTP 422), naming
  what held them and where;
- nothing is stripped silently: a user whose text carries such characters learns it.

The values below (documents) apply it themselves; ``verify`` (claims), ``db`` (collection
names, queries) and the API's request models call it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from truthgraph.errors import InvalidInputError


class Label(StrEnum):
    """A verdict label; also the label of one (evidence, claim) NLI pair."""

    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"


# What the verifier reads as an evidence sentence's premise (see verify.premise).
EvidenceContext = Literal[
    "sentence", "title", "previous", "sentence+title", "title+previous", "title+referent"
]
JoinedEvidence = Literal["off", "alone", "beside"]


class Strategy(StrEnum):
    """How pair scores are aggregated into a claim verdict."""

    WEIGHTED_VOTE = "weighted_vote"
    MAJORITY_VOTE = "majority_vote"
    CONFIDENCE_THRESHOLD = "confidence_threshold"
    STRICT_CONSENSUS = "strict_consensus"
    DECISIVE = "decisive"


@dataclass(frozen=True, slots=True)
class NLIScores:
    """Probabilities of one (premise, hypothesis) pair; they sum to 1."""

    entailment: float
    neutral: float
    contradiction: float

    @property
    def label(self) -> Label:
        best = max(self.entailment, self.neutral, self.contradiction)
        if best == self.entailment:
            return Label.SUPPORTED
        if best == self.contradiction:
            return Label.REFUTED
        return Label.NOT_ENOUGH_INFO

    def as_dict(self) -> dict[str, float]:
        return {
            "entailment": self.entailment,
            "neutral": self.neutral,
            "contradiction": self.contradiction,
        }


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A document read from a source, before splitting."""

    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Provenance of a document read from a web page, PDF or URL (see ingest.reader): where it
    # was read (the URL as asked for, or the file's absolute path), when (ISO 8601, UTC), and
    # for a PDF the character offset where each page starts (page n starts at pages[n - 1]).
    # A document with an origin is versioned: new content from the same origin is stored as
    # the next version and replaces the previous one in searches.
    origin: str | None = None
    fetched_at: str | None = None
    pages: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """Text that cannot be stored fails here, before anything is embedded or written."""
        check_characters(self.text, "the document text")
        for name in ("title", "source", "url", "external_id"):
            value = getattr(self, name)
            if value is not None:
                check_characters(value, f"the document {name}")
        check_json(self.metadata, "the document metadata")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A span of a document: ``text == document[start:end]``; ``page`` is 1-based (PDFs)."""

    text: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True, slots=True)
class EvidenceHit:
    """An evidence sentence returned by retrieval."""

    evidence_id: int
    document_id: int
    text: str
    start: int
    end: int
    similarity: float
    title: str | None = None
    source: str | None = None
    url: str | None = None
    previous: str | None = None  # the sentence before it in its document, if any
    # provenance (documents read from web pages, PDFs and URLs; None for other documents)
    page: int | None = None  # 1-based page of a PDF
    origin: str | None = None  # the URL or file path the document was read from
    version: int | None = None  # 1 for the first content read from the origin, then 2, ...
    fetched_at: str | None = None  # when that version was read (ISO 8601)
    content_hash: str | None = None  # the document version's content hash


@dataclass(frozen=True, slots=True)
class ScoredEvidence:
    """An evidence hit with the verifier's scores against the claim."""

    hit: EvidenceHit
    scores: NLIScores
    # the sentence the verifier read in front of this one (the evidence context), if any: the
    # citation stays this sentence, and this says what else the scores saw
    read_with: str | None = None

    @property
    def label(self) -> Label:
        return self.scores.label


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The pure result of aggregation: a label, a confidence and per-class scores."""

    label: Label
    confidence: float
    scores: dict[Label, float]


@dataclass(frozen=True, slots=True)
class SecondOpinionNote:
    """A second verifier read the claim again (``verify.second_opinion``): which one, and
    whether its verdict is the one given (it was the more confident of the two)."""

    verifier: str
    adopted: bool

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``Verdict.to_dict``'s ``second_opinion``)."""
        return {"verifier": self.verifier, "adopted": self.adopted}


@dataclass(frozen=True, slots=True)
class Verdict:
    """A claim's verdict with the evidence it rests on and the time of each stage."""

    claim: str
    label: Label
    confidence: float
    scores: dict[Label, float]
    evidence: tuple[ScoredEvidence, ...]
    strategy: Strategy
    collection: str
    timings_ms: dict[str, float]
    claim_id: int | None = None
    verdict_id: int | None = None
    created_at: str | None = None
    second_opinion: SecondOpinionNote | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, the shape ``truthgraph verify --json`` prints."""
        return {
            "claim_id": self.claim_id,
            "verdict_id": self.verdict_id,
            "claim": self.claim,
            "verdict": self.label.value,
            "confidence": round(self.confidence, 4),
            "scores": {k.value: round(v, 4) for k, v in self.scores.items()},
            "strategy": self.strategy.value,
            "collection": self.collection,
            "created_at": self.created_at,
            "evidence": [
                {
                    "evidence_id": e.hit.evidence_id,
                    "document_id": e.hit.document_id,
                    "text": e.hit.text,
                    "title": e.hit.title,
                    "source": e.hit.source,
                    "url": e.hit.url,
                    "origin": e.hit.origin,
                    "page": e.hit.page,
                    "version": e.hit.version,
                    "fetched_at": e.hit.fetched_at,
                    "content_hash": e.hit.content_hash,
                    "start": e.hit.start,
                    "end": e.hit.end,
                    "similarity": round(e.hit.similarity, 4),
                    "label": e.label.value,
                    "nli": {k: round(v, 4) for k, v in e.scores.as_dict().items()},
                    "read_with": e.read_with,
                }
                for e in self.evidence
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "second_opinion": None
            if self.second_opinion is None
            else self.second_opinion.as_dict(),
        }


# The one check on text that comes from outside (see the module's docstring).

# C0 controls except \t \n \v \f \r
_FORBIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f]")
MAX_COLLECTION_CHARS = 200


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The first forbidden character in ``text`` and its offset, or None."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    return match.start(), match.group()


def check_characters(text: str, what: str) -> str:
    """``text`` unchanged; InvalidInputError if it holds U+0000 or another control character."""
    found = forbidden_character(text)
    if found is not None:
        offset, char = found
        raise InvalidInputError(
            f"{what} holds the control character U+{ord(char):04X} at offset {offset}; "
            "remove it (NUL and other control characters cannot be stored)"
        )
    return text


def blank_controls(text: str) -> str:
    """``text`` with each forbidden character replaced by a space (offsets unchanged).

    The documented rule for text TruthGraph extracts itself (web pages, PDFs), where such a
    character is an artefact of the format, not something the user wrote.
    """
    return _FORBIDDEN.sub(" ", text)


def check_json(value: Any, what: str) -> Any:
    """``value`` unchanged; every string in it (keys included) passes ``check_characters``."""
    if isinstance(value, str):
        check_characters(value, what)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_characters(str(key), f"{what} (a key)")
            check_json(item, f"{what}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_json(item, f"{what}[{index}]")
    return value


def check_collection_name(name: str) -> str:
    """``name`` unchanged: 1 to 200 characters, not blank, no control characters."""
    if not isinstance(name, str):
        raise InvalidInputError("a collection name must be text")
    if not name.strip() or len(name) > MAX_COLLECTION_CHARS:
        raise InvalidInputError(f"a collection name must be 1 to {MAX_COLLECTION_CHARS} characters")
    return check_characters(name, "the collection name")

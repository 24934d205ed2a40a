"""Check a text against the documents it came with: no collection, no database, nothing stored.

The documents are read with the readers ``ingest`` uses (every file type it reads, and
``http(s)://`` URLs through the same fetch guard), split into sentences with the same
chunking, embedded once, and searched in memory (exact cosine, numpy) by
``MemoryEvidenceStore``, which answers the ``EvidenceStore`` calls the ``Verifier`` makes
(``get_collection``, ``search``, ``lexical_search``). The claims then go through the very same
``Verifier``, evidence context and roll-up as ``check`` against a collection: each hit carries
its document's title and the sentence before it, as the database's do.

    store = MemoryEvidenceStore(read_against(["source.pdf", "notes.txt"], fetch), embedder)
    report = check_against(verifier, answer, store, extractor)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from truthgraph.check.report import CheckReport
from truthgraph.check.run import CHECK_BATCH_CLAIMS, Extracted, check_with
from truthgraph.domain import EvidenceHit, RawDocument, Verdict
from truthgraph.errors import DocumentError, InvalidInputError, NotFoundError
from truthgraph.extract import ClaimExtractor
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import SUFFIXES, discover, read_documents, read_url
from truthgraph.ports import Collection, Embedder, SearchParams
from truthgraph.reading.sentences import split_document
from truthgraph.settings import FetchSettings
from truthgraph.verify.judge import SecondOpinion
from truthgraph.verify.options import VerifyOptions
from truthgraph.verify.verifier import Verifier

GIVEN_DOCUMENTS = "(given documents)"
"""The collection name of a report checked against given documents (no collection exists)."""
MAX_DOCUMENT_CHARS = 2_000_000
"""The most characters the given documents may hold together (about 300,000 words); the
documents are embedded on every call, so a corpus this size belongs in a collection."""
MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest file read as a document (checked before it is read)."""
_WORD = re.compile(r"[^\W_]{2,}")
_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
    }
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a caller may give to check against."""

    max_chars: int = MAX_DOCUMENT_CHARS
    max_file_bytes: int = MAX_FILE_BYTES
    max_url_bytes: int | None = None  # None: the fetch settings' cap
    allow_private_urls: bool = True  # the CLI and the library; the service asks its settings


def read_against(
    sources: Sequence[str | Path | RawDocument],
    fetch: FetchSettings | None = None,
    limits: Limits | None = None,
) -> list[RawDocument]:
    """The documents to check against, every one read before anything is embedded.

    A source is a file (every type ``ingest`` reads: .txt, .md, .html, .pdf, .jsonl, .csv), a
    folder of them, an ``http(s)://`` URL, or a ``RawDocument`` already in hand. A source that
    is missing, unreadable, empty or too large raises ``DocumentError`` naming it.
    """
    limits = limits or Limits()
    settings = fetch or FetchSettings()
    if not sources:
        raise DocumentError("no documents to check against: give at least one")
    documents: list[RawDocument] = []
    total = 0
    for source in sources:
        where = _name(source)
        try:
            found = _read_one(source, settings, limits)
        except DocumentError:
            raise
        except InvalidInputError as exc:
            raise DocumentError(_prefixed(where, str(exc))) from exc
        found = [d for d in found if d.text.strip()]
        if not found:
            raise DocumentError(f"{where}: the document is empty")
        total += sum(len(d.text) for d in found)
        if total > limits.max_chars:
            raise DocumentError(
                f"{where}: the documents hold more than {limits.max_chars:,} characters; check "
                "against fewer or shorter documents, or ingest them into a collection"
            )
        documents.extend(found)
    return documents


def _name(source: str | Path | RawDocument) -> str:
    if isinstance(source, RawDocument):
        return source.origin or source.source or source.title or "a given document"
    return str(source)


def _prefixed(where: str, message: str) -> str:
    return message if message.startswith(where) else f"{where}: {message}"


def _read_one(
    source: str | Path | RawDocument, fetch: FetchSettings, limits: Limits
) -> list[RawDocument]:
    if isinstance(source, RawDocument):
        return [source]
    if isinstance(source, str) and is_url(source):
        return [read_url(source.strip(), fetch, limits.max_url_bytes, limits.allow_private_urls)]
    path = Path(source)
    if str(source) == "-":
        raise DocumentError("-: stdin is the text to check, not a document to check against")
    if not path.exists():
        raise DocumentError(f"{path}: no such file or folder")
    documents: list[RawDocument] = []
    for file in discover([path]):
        size = file.stat().st_size
        if size > limits.max_file_bytes:
            raise DocumentError(
                f"{file}: {size:,} bytes; the largest document read is "
                f"{limits.max_file_bytes:,} bytes"
            )
        if size == 0:
            raise DocumentError(f"{file}: the document is empty")
        documents.extend(read_documents(file))
    if path.is_dir() and not documents:
        raise DocumentError(f"{path}: no supported files with text ({', '.join(sorted(SUFFIXES))})")
    return documents


def document_texts(texts: Sequence[str], title: str | None = None) -> list[RawDocument]:
    """Plain texts as documents (``check_text(..., against=["some text"])``, the HTTP
    ``{"text"}`` documents); an empty or unusable text raises ``DocumentError``."""
    documents = []
    for number, text in enumerate(texts, start=1):
        where = f"document {number}"
        if not isinstance(text, str):
            raise DocumentError(f"{where}: must be text")
        if not text.strip():
            raise DocumentError(f"{where}: the document is empty")
        try:
            documents.append(RawDocument(text=text, title=title, source=where))
        except InvalidInputError as exc:
            raise DocumentError(f"{where}: {exc}") from exc
    return documents


class MemoryEvidenceStore:
    """The sentences of some documents, embedded and searched in this process (exact cosine).

    It answers what the ``Verifier`` asks of an ``EvidenceStore`` while checking: one
    collection (``GIVEN_DOCUMENTS``), vector search and word-overlap search. Verdicts are never
    stored (``save_verdict`` hands the verdict back unsaved). Each hit carries its document's
    title, source, URL, page and the sentence before it, as the database's hits do; evidence
    and document ids count from 1 within this store only.
    """

    def __init__(
        self,
        documents: Sequence[RawDocument],
        embedder: Embedder,
        name: str = GIVEN_DOCUMENTS,
        batch_size: int | None = None,
    ) -> None:
        t0 = time.perf_counter()
        hits: list[EvidenceHit] = []
        for document_id, document in enumerate(documents, start=1):
            previous: str | None = None
            for sentence in split_document(document):
                hits.append(
                    EvidenceHit(
                        evidence_id=len(hits) + 1,
                        document_id=document_id,
                        text=sentence.text,
                        start=sentence.start,
                        end=sentence.end,
                        similarity=0.0,
                        title=document.title,
                        source=document.source,
                        url=document.url,
                        previous=previous,
                        page=sentence.page,
                        origin=document.origin,
                        version=1 if document.origin else None,
                        fetched_at=document.fetched_at,
                    )
                )
                previous = sentence.text
        if documents and not hits:
            raise DocumentError("the documents hold no sentence to check against")
        t1 = time.perf_counter()
        if hits:
            vectors = embedder.embed([h.text for h in hits], batch_size)
        else:  # no documents: an empty store (build_grounding_verifier's placeholder)
            vectors = np.zeros((0, embedder.dimension), dtype=np.float32)
        t2 = time.perf_counter()
        self.hits = hits
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.collection = Collection(
            id=0,
            name=name,
            embedding_model=embedder.name,
            embedding_dim=int(self.vectors.shape[1]),
            index_type="exact",
            index_params={},
        )
        self.documents = len(documents)
        self._words: list[frozenset[str]] | None = None
        self.timings_ms = {"split": (t1 - t0) * 1000, "embed_documents": (t2 - t1) * 1000}

    @property
    def sentences(self) -> int:
        return len(self.hits)

    def get_collection(self, name: str) -> Collection:
        if name != self.collection.name:
            raise NotFoundError(f"collection {name!r} not found (checking given documents)")
        return self.collection

    def search(
        self, collection: Collection, vectors: np.ndarray, params: SearchParams
    ) -> list[list[EvidenceHit]]:
        """The ``params.top_k`` sentences nearest each query vector (cosine, exact), most
        similar first (ties: the earlier sentence first)."""
        queries = np.asarray(vectors, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.vectors.shape[1]:
            raise InvalidInputError(
                f"query vectors have shape {queries.shape}; the documents hold "
                f"{self.vectors.shape[1]}-dim embeddings"
            )
        similarity = queries @ self.vectors.T
        k = min(params.top_k, len(self.hits))
        results = []
        for row in similarity:
            top = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
            ordered = sorted(top.tolist(), key=lambda i: (-float(row[i]), i))
            results.append([replace(self.hits[i], similarity=float(row[i])) for i in ordered])
        return results

    def lexical_search(
        self, collection: Collection, queries: Sequence[str], vectors: np.ndarray, top_k: int
    ) -> list[list[EvidenceHit]]:
        """For each query, the ``top_k`` sentences sharing the most of its words (stop words
        left out); each hit's ``similarity`` is its cosine to the query's vector, as in
        ``search``."""
        if self._words is None:
            self._words = [_words(h.text) for h in self.hits]
        similarity = np.asarray(vectors, dtype=np.float32) @ self.vectors.T
        results = []
        for text, row in zip(queries, similarity, strict=True):
            asked = _words(text)
            shared = [(len(asked & words), i) for i, words in enumerate(self._words)]
            ranked = sorted(((-n, i) for n, i in shared if n), key=lambda p: p)[:top_k]
            results.append([replace(self.hits[i], similarity=float(row[i])) for _, i in ranked])
        return results

    def save_verdict(
        self, verdict: Verdict, embedding_model: str, nli_model: str, origin: str | None = None
    ) -> Verdict:
        """Nothing is stored: the verdict comes back as it was (no id)."""
        return verdict

    def save_timings(self, verdict_id: int, timings_ms: dict[str, float]) -> None:
        """Nothing is stored."""

    def close(self) -> None:
        """Nothing to close (the ``EvidenceStore`` shape)."""


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def grounded(verifier: Verifier, store: MemoryEvidenceStore) -> Verifier:
    """``verifier``'s models, options, calibration and second opinion over ``store``, with no
    NLI cache (the store's evidence ids are its own, not the database's)."""
    return Verifier(
        verifier.embedder,
        verifier.nli,
        store,
        verifier.options,
        nli_cache=None,
        nli_cache_key=None,
        calibration=verifier.calibration,
        second=_uncached(verifier.second),
    )


def _uncached(second: SecondOpinion | None) -> SecondOpinion | None:
    if second is None:
        return None
    return SecondOpinion(second.name, second.below, lambda: replace(second.judge(), nli_cache=None))


def check_against(
    verifier: Verifier,
    text: str | Extracted,
    store: MemoryEvidenceStore,
    extractor: ClaimExtractor,
    options: VerifyOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
    labels: str = "three-way",
    read_ms: float = 0.0,
) -> CheckReport:
    """Check ``text`` claim by claim against the documents in ``store`` (see the module);
    nothing is stored whatever ``options.persist`` says. The report's timings add the
    documents' stages (``read``, ``split``, ``embed_documents``) in front of the check's. A
    text already ``extracted`` is not extracted again."""
    run = grounded(verifier, store)
    run_options = replace(options or run.options, persist=False)

    def verify(claims: Sequence[str], report: Callable[[int, int], None] | None) -> list[Verdict]:
        return run.verify_many(
            claims, store.collection.name, run_options, report, batch_claims=CHECK_BATCH_CLAIMS
        )

    report = check_with(text, extractor, verify, store.collection.name, progress, source)
    stages = {"read": read_ms, **store.timings_ms}
    timings = {**stages, **report.timings_ms}
    timings["total"] = report.timings_ms.get("total", 0.0) + sum(stages.values())
    return replace(report, timings_ms=timings, labels=labels)


__all__ = [
    "GIVEN_DOCUMENTS",
    "Limits",
    "MemoryEvidenceStore",
    "check_against",
    "document_texts",
    "grounded",
    "read_against",
]

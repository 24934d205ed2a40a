"""ingest(): read sources, split into sentences, skip known documents, embed, store in batches."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

import numpy as np

from truthgraph.domain import RawDocument, Sentence
from truthgraph.errors import DatasetError
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import SUFFIXES, discover, read_documents, read_url
from truthgraph.ports import Collection, Embedder
from truthgraph.reading.sentences import check_sentence_limit, check_text_limits, split_document
from truthgraph.settings import FetchSettings, LimitsSettings


class IngestStore(Protocol):
    """What ingestion needs from a store."""

    def known_hashes(self, collection: Collection, hashes: Sequence[str]) -> set[str]: ...

    def add_documents(
        self,
        collection: Collection,
        documents: Sequence[tuple[RawDocument, str, Sequence[Sentence]]],
        embeddings: np.ndarray,
    ) -> int: ...

    def build_index(self, collection: Collection) -> None: ...


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest run did."""

    files: int
    documents_seen: int
    documents_added: int
    documents_skipped: int
    sentences_added: int
    seconds: float

    @property
    def sentences_per_second(self) -> float:
        return self.sentences_added / self.seconds if self.seconds > 0 else 0.0


def content_hash(document: RawDocument) -> str:
    """Deduplication key: the document's text and title."""
    digest = hashlib.sha256()
    digest.update((document.title or "").encode())
    digest.update(b"\x00")
    digest.update(document.text.encode())
    return digest.hexdigest()


def load_documents(
    paths: Sequence[Path | str],
    fetch: FetchSettings | None = None,
    max_bytes: int | None = None,
    limits: LimitsSettings | None = None,
) -> tuple[int, list[RawDocument]]:
    """Read every document first, so a malformed file or a failing URL stops the run before
    anything is written. ``paths`` are files, folders and ``http(s)://`` URLs; URLs are
    fetched with ``fetch`` (default settings), each body capped at ``max_bytes`` if given.
    Returns the number of files and URLs read, and their documents."""
    urls = [str(p).strip() for p in paths if isinstance(p, str) and is_url(p)]
    files = discover([Path(p) for p in paths if not (isinstance(p, str) and is_url(p))])
    if not files and not urls:
        raise DatasetError(
            f"no supported files found ({', '.join(sorted(SUFFIXES))}) and no http(s) URLs"
        )
    documents = [doc for path in files for doc in read_documents(path, limits)]
    settings = fetch or FetchSettings()
    documents.extend(
        read_url(url, settings, max_bytes, limits=limits) for url in dict.fromkeys(urls)
    )
    if not documents:
        raise DatasetError("the sources hold no documents with text")
    return len(files) + len(set(urls)), documents


def ingest(
    documents: Sequence[RawDocument],
    collection: Collection,
    store: IngestStore,
    embedder: Embedder,
    batch_documents: int = 64,
    files: int = 0,
    progress: Callable[[int, int], None] | None = None,
    limits: LimitsSettings | None = None,
    checkpoint: Callable[[int], None] | None = None,
    embed_texts: int = 256,
) -> IngestReport:
    """Store ``documents`` in ``collection``; each batch commits on its own.

    A document already in the collection (same content hash) is skipped, so running the same
    ingest again adds nothing, and an interrupted run resumes where its last batch committed.
    ``progress(done, total)`` is called after each batch, counted in documents. A document
    over one of ``limits`` (default ``LimitsSettings()``) raises LimitExceededError before
    its batch is stored. ``checkpoint(i)``, when given, is called often with the index of
    the document being worked on (before it is split, between its paragraphs and between
    embedding calls of at most ``embed_texts`` sentences), so it can stop the run by raising.
    """
    limits = limits or LimitsSettings()
    started = time.perf_counter()
    added = skipped = sentences_added = 0
    seen: set[str] = set()
    for begin in range(0, len(documents), batch_documents):
        batch = documents[begin : begin + batch_documents]
        hashed = [(doc, content_hash(doc)) for doc in batch]
        known = store.known_hashes(collection, [h for _, h in hashed]) | seen
        fresh: list[tuple[RawDocument, str, Sequence[Sentence]]] = []
        owners: list[int] = []  # the index of each fresh sentence's document
        for offset, (doc, digest) in enumerate(hashed):
            if digest in known:
                skipped += 1
                continue
            seen.add(digest)
            known.add(digest)
            where = doc.origin or doc.source or doc.title or "a document"
            check_text_limits(doc.text, limits, where)
            index = begin + offset
            sentences = split_document(
                doc, None if checkpoint is None else partial(checkpoint, index)
            )
            check_sentence_limit(len(sentences), limits, where)
            if sentences:
                fresh.append((doc, digest, sentences))
                owners.extend([index] * len(sentences))
            else:
                skipped += 1
        if fresh:
            texts = [s.text for _, _, sentences in fresh for s in sentences]
            vectors = _embed(embedder, texts, owners, checkpoint, embed_texts)
            added += store.add_documents(collection, fresh, vectors)
            sentences_added += len(texts)
        if progress is not None:
            progress(min(begin + batch_documents, len(documents)), len(documents))
    if added:
        store.build_index(collection)
    return IngestReport(
        files=files,
        documents_seen=len(documents),
        documents_added=added,
        documents_skipped=skipped,
        sentences_added=sentences_added,
        seconds=time.perf_counter() - started,
    )


def _embed(
    embedder: Embedder,
    texts: Sequence[str],
    owners: Sequence[int],
    checkpoint: Callable[[int], None] | None,
    size: int,
) -> np.ndarray:
    """``embedder.embed(texts)``; with a checkpoint, in calls of at most ``size`` texts, the
    checkpoint told before each which document's sentences come next."""
    if checkpoint is None or len(texts) <= size:
        if checkpoint is not None and owners:
            checkpoint(owners[0])
        return embedder.embed(list(texts))
    parts = []
    for begin in range(0, len(texts), size):
        checkpoint(owners[begin])
        parts.append(embedder.embed(list(texts[begin : begin + size])))
    return np.concatenate(parts)

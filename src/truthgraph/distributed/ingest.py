"""Ingestion as a Ray Data pipeline: split (tasks) → embed (actor pool) → write (actors)
→ index and ANALYZE once, on the driver.

The driver reads every source first (a malformed file stops the run before anything is
written, as on one machine), computes each document's content hash and drops the documents
the collection already holds. The stages then run on the cluster:

1. ``split_documents`` (tasks): each document into its sentences (``chunking``);
2. ``EmbedStage`` (an actor pool): the embedding model, loaded once per actor;
3. ``WriteStage`` (actors): one database connection each; a batch is one transaction, its
   sentences one COPY. Documents are keyed by ``(collection, content hash)`` with
   ``ON CONFLICT DO NOTHING``, so a retried batch (its actor killed after the commit) stores
   nothing twice.

A killed actor is restarted by Ray Data and its batches retried (``max_restarts=-1``,
``max_task_retries=-1``, Ray Data's defaults for actor pools).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from truthgraph.distributed.ray_setup import RayOptions, check_database, ray_runtime
from truthgraph.domain import RawDocument, Sentence
from truthgraph.errors import EvidenceStoreError
from truthgraph.ingest.pipeline import IngestReport, content_hash
from truthgraph.ports import Collection, LoadedEmbedder
from truthgraph.reading.sentences import split_document
from truthgraph.settings import Settings

Batch = dict[str, np.ndarray]


def ingest_on_ray(
    documents: Sequence[RawDocument],
    collection: str,
    settings: Settings,
    options: RayOptions,
    files: int = 0,
    progress: Callable[[int, int], None] | None = None,
    embedder: LoadedEmbedder | None = None,
) -> IngestReport:
    """Store ``documents`` in ``collection`` through Ray; the same documents, sentences and
    (within float tolerance) vectors as ``ingest.pipeline.ingest``. ``progress(done, total)``
    counts documents as their writes finish. The driver needs the embedder's name and
    dimension: ``embedder`` if given (already loaded), else one it loads."""
    from truthgraph.wiring import build_embedder, build_store

    check_database(settings, options)
    started = time.perf_counter()
    store = build_store(settings)
    try:
        embedder = embedder or build_embedder(settings)
        target = store.ensure_collection(
            collection, embedder.name, embedder.dimension, settings.retrieval
        )
        fresh = _fresh(documents, target, store.known_hashes)
        skipped = len(documents) - len(fresh)
        if progress is not None:
            progress(skipped, len(documents))
        written = 0
        sentences = 0
        empty = 0
        if fresh:
            with ray_runtime(options) as ray:
                for batch in _pipeline(ray, fresh, target, store.url, settings, options):
                    counts = batch["sentences"]
                    written += len(counts)
                    sentences += int(counts.sum())
                    empty += int((counts == 0).sum())
                    if progress is not None:
                        progress(skipped + written, len(documents))
        added = [h for _, h in fresh]
        missing = len(added) - len(store.known_hashes(target, added))
        if written != len(fresh) or missing > empty:
            raise EvidenceStoreError(
                f"the Ray run ended with {missing - empty} of {len(fresh)} documents not stored"
            )
        if written > empty:
            store.build_index(target)
    finally:
        store.close()
    return IngestReport(
        files=files,
        documents_seen=len(documents),
        documents_added=written - empty,
        documents_skipped=skipped + empty,
        sentences_added=sentences,
        seconds=time.perf_counter() - started,
    )


def _fresh(
    documents: Sequence[RawDocument],
    target: Collection,
    known_hashes: Callable[[Collection, Sequence[str]], set[str]],
    chunk: int = 1000,
) -> list[tuple[RawDocument, str]]:
    """The documents to store, with their hashes: not in the collection, each content once."""
    hashed = [(doc, content_hash(doc)) for doc in documents]
    seen: set[str] = set()
    for begin in range(0, len(hashed), chunk):
        seen |= known_hashes(target, [h for _, h in hashed[begin : begin + chunk]])
    fresh = []
    for doc, digest in hashed:
        if digest not in seen:
            seen.add(digest)
            fresh.append((doc, digest))
    return fresh


def _pipeline(
    ray: Any,
    fresh: Sequence[tuple[RawDocument, str]],
    target: Collection,
    url: str,
    settings: Settings,
    options: RayOptions,
) -> Any:
    """The dataset's output batches (``hash``, ``sentences``), one row per document written."""
    rows = [{"document": pickle.dumps(doc), "hash": digest} for doc, digest in fresh]
    blocks = block_count(len(rows), options)
    dataset = ray.data.from_items(rows, override_num_blocks=blocks)
    dataset = dataset.map_batches(
        split_documents, batch_size=options.batch_size, num_cpus=0, batch_format="numpy"
    )
    dataset = dataset.map_batches(
        EmbedStage,
        fn_constructor_kwargs={"settings": settings},
        batch_size=options.batch_size,
        compute=ray.data.ActorPoolStrategy(size=options.workers),
        num_cpus=options.actor_cpus(ray, model_stages=1),
        num_gpus=options.gpus_per_actor or None,
        batch_format="numpy",
    )
    dataset = dataset.map_batches(
        WriteStage,
        fn_constructor_kwargs={"url": url, "collection": target},
        batch_size=options.batch_size,
        compute=ray.data.ActorPoolStrategy(size=options.workers),
        num_cpus=0,
        batch_format="numpy",
    )
    return dataset.iter_batches(batch_size=None, batch_format="numpy")


def block_count(rows: int, options: RayOptions) -> int:
    """How many blocks the input is cut into: about one per batch, at least one per worker
    (so no actor idles), at most 32 per worker."""
    batches = -(-rows // options.batch_size)
    return max(1, min(rows, max(options.workers, min(batches, 32 * options.workers))))


def split_documents(batch: Batch) -> Batch:
    """Stage 1 (tasks): each document's sentences, pickled, and their count."""
    sentences = [split_document(pickle.loads(d)) for d in batch["document"]]
    return {
        "document": batch["document"],
        "hash": batch["hash"],
        "sentences": _objects(pickle.dumps(s) for s in sentences),
        "count": np.array([len(s) for s in sentences], dtype=np.int64),
    }


class EmbedStage:
    """Stage 2 (an actor pool): the embedding model, built once per actor by ``wiring``."""

    def __init__(self, settings: Settings) -> None:
        from truthgraph.wiring import build_embedder

        self.embedder = build_embedder(settings)

    def __call__(self, batch: Batch) -> Batch:
        sentences: list[list[Sentence]] = [pickle.loads(s) for s in batch["sentences"]]
        texts = [s.text for doc in sentences for s in doc]
        vectors = (
            self.embedder.embed(texts).astype(np.float32)
            if texts
            else np.zeros((0, self.embedder.dimension), np.float32)
        )
        parts = []
        offset = 0
        for doc in sentences:
            parts.append(vectors[offset : offset + len(doc)].tobytes())
            offset += len(doc)
        return {**batch, "vectors": _objects(parts)}


class WriteStage:
    """Stage 3 (actors): one connection each; a batch in one transaction, its sentences in
    one COPY, documents keyed by content hash (a retried batch adds nothing)."""

    def __init__(self, url: str, collection: Collection) -> None:
        from truthgraph.wiring import store_at

        self.store = store_at(url, max_connections=1)
        self.collection = collection

    def __call__(self, batch: Batch) -> Batch:
        items: list[tuple[RawDocument, str, Sequence[Sentence]]] = []
        vectors: list[np.ndarray] = []
        dim = self.collection.embedding_dim
        for document, digest, sentences, data in zip(
            batch["document"], batch["hash"], batch["sentences"], batch["vectors"], strict=True
        ):
            doc_sentences: list[Sentence] = pickle.loads(sentences)
            if not doc_sentences:
                continue
            items.append((pickle.loads(document), str(digest), doc_sentences))
            vectors.append(np.frombuffer(data, dtype=np.float32).reshape(-1, dim))
        if items:
            self.store.add_documents(self.collection, items, np.concatenate(vectors))
        return {"hash": batch["hash"], "sentences": batch["count"]}


def _objects(values: Any) -> np.ndarray:
    """A 1-D numpy array of Python objects (Ray Data keeps them as a binary column)."""
    items = list(values)
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array

"""Verification as a Ray Data pipeline: claims → embed (actors) → search (PostgreSQL, one
connection per actor) → NLI and aggregation (actors) → persist (actors).

Each stage runs the same code as ``Verifier.verify_many`` (``retrieve``, ``Judge``,
``persist_verdict``), with the models and stores of the ``wiring.Parts`` each stage receives,
so the verdicts are the ones a single process gives. ``RayVerifier`` has the verifier's batch
methods, so ``evaluation.run.evaluate`` (``truthgraph eval --ray``) and other callers take either.

A retried persist batch (its actor killed after the commit) can store a verdict twice: stored
verdicts are a log, not keyed by claim. Documents are what a retry must never duplicate
(see ``distributed.ingest``).
"""

from __future__ import annotations

import pickle
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from truthgraph.distributed.ingest import Batch, _objects, block_count
from truthgraph.distributed.ray_setup import RayOptions, check_database
from truthgraph.domain import EvidenceHit, Verdict
from truthgraph.ports import Collection
from truthgraph.settings import Settings

if TYPE_CHECKING:
    from truthgraph.wiring import Parts
from truthgraph.verify.judge import given_hits
from truthgraph.verify.options import VerifyOptions, clean_claim
from truthgraph.verify.persist import persist_verdict
from truthgraph.verify.retrieve import embedded_with, retrieve
from truthgraph.verify.verifier import GIVEN_EVIDENCE


@dataclass
class RayVerifier:
    """Verifies claims on Ray; call inside ``ray_runtime``. The driver holds the settings,
    a store (to find the collection) and the embedder's name (loaded once to check the
    collection matches); the workers build their own models through ``wiring``."""

    settings: Settings
    ray_options: RayOptions
    options: VerifyOptions
    url: str
    embedding_model: str
    caches: bool = True  # read and fill the database's NLI cache, as ``build_verifier`` does

    def verify_many(
        self,
        claims: Sequence[str],
        collection: str = "default",
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]:
        """The verdicts of ``claims`` in their order, as ``Verifier.verify_many`` gives them
        (``batch_claims`` is ignored: the Ray batch size applies)."""
        import ray

        options = options or self.options
        texts = [clean_claim(c, options.max_claim_chars) for c in claims]
        parts = self.worker_parts()
        try:
            target = embedded_with(parts.store.get_collection(collection), self.embedding_model)
        finally:
            parts.close()
        rows = [{"index": i, "claim": text} for i, text in enumerate(texts)]
        size = self.ray_options.batch_size
        workers = ray.data.ActorPoolStrategy(size=self.ray_options.workers)
        cpus = self.ray_options.actor_cpus(ray, model_stages=2)
        gpus = self.ray_options.gpus_per_actor or None
        dataset = _dataset(ray, rows, self.ray_options)
        dataset = dataset.map_batches(
            EmbedClaimsStage,
            fn_constructor_kwargs={"parts": self.worker_parts()},
            batch_size=size,
            compute=workers,
            num_cpus=cpus,
            num_gpus=gpus,
            batch_format="numpy",
        )
        dataset = dataset.map_batches(
            SearchStage,
            fn_constructor_kwargs={
                "parts": self.worker_parts(),
                "collection": target,
                "options": options,
            },
            batch_size=size,
            compute=workers,
            num_cpus=0,
            batch_format="numpy",
        )
        dataset = self._judge_and_persist(
            ray, dataset, collection, options, cpus, gpus, self.caches
        )
        return _collect(dataset, len(texts), progress)

    def verify_against_many(
        self,
        items: Sequence[tuple[str, Sequence[str]]],
        options: VerifyOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
        batch_claims: int = 16,
    ) -> list[Verdict]:
        """Each claim against its own evidence texts (NLI and aggregation only, nothing
        stored), as ``Verifier.verify_against_many``."""
        import ray

        options = replace(options or self.options, persist=False)
        rows = [
            {
                "index": i,
                "claim": clean_claim(claim, options.max_claim_chars),
                "hits": pickle.dumps(given_hits(evidence)),
                "embedding_ms": 0.0,
                "retrieval_ms": 0.0,
            }
            for i, (claim, evidence) in enumerate(items)
        ]
        cpus = self.ray_options.actor_cpus(ray, model_stages=1)
        gpus = self.ray_options.gpus_per_actor or None
        dataset = _dataset(ray, rows, self.ray_options)
        # given texts have no evidence ids, so the NLI cache is never used (as on one process)
        dataset = self._judge_and_persist(
            ray, dataset, GIVEN_EVIDENCE, options, cpus, gpus, caches=False
        )
        return _collect(dataset, len(rows), progress)

    def worker_parts(self) -> Parts:
        """What each stage builds its part from (pickled: the settings and the database URL;
        each worker builds its own model or connection)."""
        from truthgraph.wiring import Parts

        return Parts(self.settings, url=self.url)

    def _judge_and_persist(
        self,
        ray: Any,
        dataset: Any,
        collection: str,
        options: VerifyOptions,
        cpus: float,
        gpus: float | None,
        caches: bool,
    ) -> Any:
        workers = ray.data.ActorPoolStrategy(size=self.ray_options.workers)
        dataset = dataset.map_batches(
            JudgeStage,
            fn_constructor_kwargs={
                "parts": self.worker_parts(),
                "collection": collection,
                "options": options,
                "caches": caches,
            },
            batch_size=self.ray_options.batch_size,
            compute=workers,
            num_cpus=cpus,
            num_gpus=gpus,
            batch_format="numpy",
        )
        return dataset.map_batches(
            PersistStage,
            fn_constructor_kwargs={
                "parts": self.worker_parts(),
                "options": options,
                "embedding_model": self.embedding_model,
                "run_id": uuid.uuid4().hex,
            },
            batch_size=self.ray_options.batch_size,
            compute=workers,
            num_cpus=0,
            batch_format="numpy",
        )


def _dataset(ray: Any, rows: list[dict[str, Any]], options: RayOptions) -> Any:
    return ray.data.from_items(rows, override_num_blocks=block_count(len(rows), options))


def _collect(
    dataset: Any, total: int, progress: Callable[[int, int], None] | None
) -> list[Verdict]:
    """The verdicts in claim order, reporting ``progress(done, total)`` as batches finish."""
    found: dict[int, Verdict] = {}
    if progress is not None:
        progress(0, total)
    for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
        for index, verdict in zip(batch["index"], batch["verdict"], strict=True):
            found[int(index)] = pickle.loads(verdict)
        if progress is not None:
            progress(len(found), total)
    return [found[i] for i in range(total)]


class EmbedClaimsStage:
    """Stage 1 (actors): the claims' vectors, with the embedding model of ``parts``."""

    def __init__(self, parts: Parts) -> None:
        self.embedder = parts.embedder

    def __call__(self, batch: Batch) -> Batch:
        started = time.perf_counter()
        vectors = self.embedder.embed([str(c) for c in batch["claim"]]).astype(np.float32)
        share = (time.perf_counter() - started) * 1000 / max(len(vectors), 1)
        return {
            "index": batch["index"],
            "claim": batch["claim"],
            "vector": vectors,
            "embedding_ms": np.full(len(vectors), share),
        }


class SearchStage:
    """Stage 2 (actors, one database connection each): each claim's evidence, as
    ``Verifier`` retrieves it."""

    def __init__(self, parts: Parts, collection: Collection, options: VerifyOptions) -> None:
        self.store = parts.store
        self.collection = collection
        self.options = options

    def __call__(self, batch: Batch) -> Batch:
        started = time.perf_counter()
        texts = [str(c) for c in batch["claim"]]
        vectors = np.asarray(batch["vector"], dtype=np.float32)
        hits = retrieve(self.store, self.collection, texts, vectors, self.options)
        share = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
        return {
            "index": batch["index"],
            "claim": batch["claim"],
            "hits": _objects(pickle.dumps(row) for row in hits),
            "embedding_ms": batch["embedding_ms"],
            "retrieval_ms": np.full(len(texts), share),
        }


class JudgeStage:
    """Stage 3 (actors): NLI (through the database's NLI cache) and aggregation, with the
    ``Judge`` of ``parts`` (with its second opinion): the verdicts, not yet stored."""

    def __init__(
        self,
        parts: Parts,
        collection: str,
        options: VerifyOptions,
        caches: bool = True,
    ) -> None:
        self.judge = parts.judge(caches)
        self.collection = collection
        self.options = options

    def __call__(self, batch: Batch) -> Batch:
        texts = [str(c) for c in batch["claim"]]
        hits: list[list[EvidenceHit]] = [pickle.loads(h) for h in batch["hits"]]
        verdicts = self.judge.judge_many(texts, hits, self.options, self.collection, {})
        for verdict, embedding_ms, retrieval_ms in zip(
            verdicts, batch["embedding_ms"], batch["retrieval_ms"], strict=True
        ):
            if self.collection != GIVEN_EVIDENCE:
                verdict.timings_ms["embedding"] = float(embedding_ms)
                verdict.timings_ms["retrieval"] = float(retrieval_ms)
        return {
            "index": batch["index"],
            "verdict": _objects(pickle.dumps(v) for v in verdicts),
            "nli_model": _objects(self.judge.nli.name for _ in verdicts),
        }


class PersistStage:
    """Stage 4 (actors, one database connection each): each verdict stored (when the options
    say so) and its timings totalled."""

    def __init__(
        self, parts: Parts, options: VerifyOptions, embedding_model: str, run_id: str
    ) -> None:
        self.store = parts.store if options.persist else None
        self.options = options
        self.embedding_model = embedding_model
        self.run_id = run_id

    def __call__(self, batch: Batch) -> Batch:
        done = []
        for index, data, nli_model in zip(
            batch["index"], batch["verdict"], batch["nli_model"], strict=True
        ):
            verdict: Verdict = pickle.loads(data)
            if self.store is None:
                verdict.timings_ms["total"] = sum(verdict.timings_ms.values())
            else:
                # a task Ray retries saves each claim's verdict once: keyed by run and position
                verdict = persist_verdict(
                    self.store,
                    verdict,
                    self.options,
                    self.embedding_model,
                    str(nli_model),
                    origin=f"ray:{self.run_id}:{int(index)}",
                )
            done.append(pickle.dumps(verdict))
        return {"index": batch["index"], "verdict": _objects(done)}


def open_ray_verifier(
    settings: Settings,
    ray_options: RayOptions,
    options: VerifyOptions | None = None,
    caches: bool = True,
) -> tuple[RayVerifier, Callable[[], None]]:
    """A ``RayVerifier`` on the configured database (started and migrated here when it is the
    embedded one) and a function that closes what it opened. Call inside ``ray_runtime``;
    ``caches=False`` scores every pair with the model (``truthgraph eval``)."""
    from truthgraph.wiring import Parts

    check_database(settings, ray_options)
    parts = Parts(settings)
    try:
        store, embedder = parts.store, parts.embedder
    except BaseException:
        parts.close()
        raise
    # the options as the local path builds them (``Parts.options``), unless given
    verifier = RayVerifier(
        settings, ray_options, options or parts.options, store.url, embedder.name, caches
    )
    return verifier, parts.close


def verify_claims_on_ray(
    claims: Sequence[str],
    collection: str,
    settings: Settings,
    ray_options: RayOptions,
    options: VerifyOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Verdict]:
    """Verify ``claims`` against ``collection`` on Ray, start to end: join or start Ray, run
    the pipeline, close. The one call for a command with many claims at once (``verify
    --file --ray``; ``check`` over many sources can hand its extracted claims here)."""
    from truthgraph.distributed.ray_setup import ray_runtime

    check_database(settings, ray_options)
    with ray_runtime(ray_options):
        verifier, close = open_ray_verifier(settings, ray_options, options)
        try:
            return verifier.verify_many(claims, collection, options, progress)
        finally:
            close()

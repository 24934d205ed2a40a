"""The app's resources and their start-up: database, warm models, batchers, job worker.

``Runtime.start`` builds everything in a background thread, so the server answers ``/health``
at once and ``/ready`` (503 until then) once the models are warm and the database is up; the
model-backed endpoints answer 503 with ``Retry-After`` meanwhile. The stores, models and
verifier come from ``wiring.Parts``, as the CLI's do, with the micro-batchers as the
verifier's hooks. A store and models passed in (``ServiceParts``, as the tests do) are used as
they are and not closed here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from truthgraph.api.admission import AdmissionGate
from truthgraph.api.auth import Authenticator
from truthgraph.api.batching import (
    BatchingEmbedder,
    BatchingNLI,
    MicroBatcher,
    embedding_batcher,
    nli_batcher,
)
from truthgraph.api.prometheus import Metrics
from truthgraph.api.worker import JobContext, JobWorker
from truthgraph.db.embedded import restart_embedded
from truthgraph.db.pool import ping
from truthgraph.db.roles import EvidenceDatabase, JobStore
from truthgraph.errors import EvidenceStoreError, TruthGraphError, UnavailableError
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier
from truthgraph.wiring import ServiceParts

log = structlog.get_logger("truthgraph.api")
Phase = Literal["starting", "ready", "failed", "stopped"]
DB_CHECK_S = 1.0  # how often the database is checked
DB_MAX_PAUSE_S = 30.0  # the longest pause between reconnection attempts


@dataclass
class Resources:
    """Everything a request handler may use, built once per app."""

    settings: Settings
    store: EvidenceDatabase
    jobs: JobStore
    verifier: Verifier
    embedder: BatchingEmbedder
    nli: BatchingNLI
    gate: AdmissionGate
    worker: JobWorker | None
    load_ms: dict[str, float] = field(default_factory=dict)
    backends: dict[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)  # set at shutdown

    def stop_if_stopping(self, _index: int = 0) -> None:
        """UnavailableError once the service is shutting down: long work in a request (a
        large document being embedded) checks it often, so SIGTERM need not wait for it."""
        if self.stopping.is_set():
            raise UnavailableError("the service is shutting down")


def _backend(model: object) -> str:
    """Which implementation runs a model (its class), for /ready and the load test."""
    return type(model).__name__


class Runtime:
    """Owns the start-up and shutdown of one app's resources."""

    def __init__(
        self, settings: Settings, metrics: Metrics, parts: ServiceParts | None = None
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self._given = parts
        self.phase: Phase = "starting"
        self.error: str | None = None
        self.resources: Resources | None = None
        self._closers: list[Any] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.authenticator = Authenticator([k.get_secret_value() for k in settings.api.keys])
        self.database_error: str | None = None  # set while the database does not answer

    def start(self) -> None:
        """Build the resources in the background."""
        self._thread = threading.Thread(target=self._build, name="startup", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until start-up ends; True when ready (tests and ``serve``'s first log line)."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return self.phase == "ready"

    def require(self) -> Resources:
        """The resources, or UnavailableError while starting or after a failed start."""
        if self.phase == "ready" and self.resources is not None:
            if self.database_error is not None:  # answer at once, not after a pool timeout
                raise EvidenceStoreError(
                    f"the database is not answering ({self.database_error}); reconnecting"
                )
            return self.resources
        if self.phase == "failed":
            raise UnavailableError(f"the service failed to start: {self.error}")
        if self.phase == "stopped":
            raise UnavailableError("the service is shutting down")
        raise UnavailableError("the service is starting (loading models); retry shortly")

    def admission_gate(self) -> AdmissionGate | None:
        """The gate of the inference routes once the service is ready; None before."""
        resources = self.resources
        return resources.gate if self.phase == "ready" and resources is not None else None

    def close(self) -> None:
        """Stop the worker and batchers and close what this runtime opened."""
        with self._lock:
            self.phase = "stopped"
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(120)
        for close in reversed(self._closers):
            try:
                close()
            except Exception:  # closing must go on for the rest
                log.exception("close_failed")
        self._closers.clear()
        self.metrics.ready.set(0)

    # start-up ------------------------------------------------------------------------------

    def _build(self) -> None:
        started = time.perf_counter()
        try:
            resources = self._build_resources()
        except TruthGraphError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # a start-up bug must show in /ready, not kill a thread
            log.exception("startup_crashed")
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            if self.phase == "stopped":
                return
            self.resources = resources
            self.phase = "ready"
        self.metrics.ready.set(1)
        watcher = threading.Thread(
            target=self._watch_database, args=(resources,), name="db-watch", daemon=True
        )
        watcher.start()
        log.info(
            "ready",
            seconds=round(time.perf_counter() - started, 2),
            embedding_model=resources.embedder.name,
            nli_model=resources.nli.name,
            load_ms=resources.load_ms,
        )

    def check_database(self, timeout_s: float = 0.8) -> str | None:
        """None if the database answers within ``timeout_s``, else why not (for /ready)."""
        if self.resources is None:
            return "not started"
        try:
            ping(self.resources.store.url, timeout_s)
        except EvidenceStoreError as exc:
            return str(exc)
        return None

    def _watch_database(self, resources: Resources) -> None:
        """Check the database every second; while it is down, requests get 503 at once, the
        embedded server this service runs on is started again, and an external one is
        retried with a growing pause (1 s doubling to 30 s)."""
        settings = self.settings
        pause = DB_CHECK_S
        while not self._stopping.wait(pause):
            error = self.check_database(timeout_s=1.0)
            if error is None:
                if self.database_error is not None:
                    log.info("database_recovered")
                self.database_error = None
                pause = DB_CHECK_S
                continue
            if self.database_error is None:
                log.warning("database_down", error=error)
            self.database_error = error
            if settings.database_url is None:
                try:
                    restart_embedded(settings.pgdata_dir)
                    log.info("embedded_database_restarted")
                    pause = DB_CHECK_S / 10  # check again at once
                    continue
                except EvidenceStoreError as exc:
                    log.warning("embedded_restart_failed", error=str(exc))
            pause = min(max(pause, DB_CHECK_S) * 2, DB_MAX_PAUSE_S)

    def _fail(self, message: str) -> None:
        with self._lock:
            if self.phase != "stopped":
                self.phase = "failed"
                self.error = message
        log.error("startup_failed", error=message)

    def _build_resources(self) -> Resources:
        from truthgraph.wiring import Parts, VerifierHooks

        settings = self.settings
        api = settings.api
        # the parts, built once (a store and models given are the caller's, not closed here)
        parts = Parts(settings, service=True, given=self._given)
        self._closers.append(parts.close)
        # missing model files fail here, at once, with the fix in the message
        load_ms = parts.load_models()
        embedder, nli = parts.embedder, parts.nli
        store, jobs = parts.store, parts.jobs
        self.authenticator.attach(parts.keys.active_keys)

        device_lock = threading.Lock()
        window_s = api.batch_window_ms / 1000

        def on_device(
            make: Callable[..., MicroBatcher[Any, Any]], model: Any, max_items: int
        ) -> MicroBatcher[Any, Any]:
            """A micro-batcher of ``model`` on the models' device lock, closed with the rest."""
            batcher = make(
                model,
                window_s=window_s,
                max_items=max_items,
                device_lock=device_lock,
                observer=self.metrics.observe_batch,
            )
            self._closers.append(batcher.close)
            return batcher

        embed_batcher = on_device(embedding_batcher, embedder, api.max_batch_texts)

        def pairs_batcher(model: Any) -> MicroBatcher[Any, Any]:
            """A verifier's micro-batcher (the second opinion's is built when that model
            loads)."""
            return on_device(nli_batcher, model, api.max_batch_pairs)

        pair_batcher = pairs_batcher(nli)
        batched_embedder = BatchingEmbedder(embedder, embed_batcher)
        batched_nli = BatchingNLI(nli, pair_batcher)

        # the one composition root builds the verifier: the micro-batchers go in front of the
        # models, the claim cache in front of the batcher, and the NLI cache as configured
        verifier = parts.verifier(
            hooks=VerifierHooks(
                embedder=lambda _: batched_embedder,
                nli=lambda _: batched_nli,
                second_nli=lambda model: BatchingNLI(model, pairs_batcher(model)),
                embedding_cache_size=api.embedding_cache_size,
                nli_cache=api.nli_cache,
                watch_embedding_cache=self.metrics.watch_cache,
            ),
        )

        # warm the whole path once: batchers, models, database pool
        batched_embedder.embed(["TruthGraph warm-up sentence."])
        batched_nli.predict([("The sky is blue.", "The sky has a colour.")])
        if verifier.second is not None:  # its model loads now, not on the first unsure claim
            verifier.second.judge().nli.predict([("The sky is blue.", "The sky has a colour.")])
        store.ping()

        gate = AdmissionGate(
            api.max_queue_depth,
            api.retry_after_s,
            on_reject=self.metrics.rejected.labels("overload").inc,
            max_wait_s=api.max_queue_wait_s,
        )
        worker = None
        if api.job_workers > 0:
            worker = JobWorker(
                jobs,
                JobContext(
                    verifier,
                    store,
                    batched_embedder,
                    settings.retrieval,
                    api.job_chunk_claims,
                    parts.extractor,
                    api.job_item_timeout_s,
                ),
            )
            worker.start()
            self._closers.append(worker.stop)
        self.metrics.watch(
            queue_depth=lambda: gate.in_flight,
            pending={
                "embedding": lambda: embed_batcher.pending,
                "nli": lambda: pair_batcher.pending,
            },
            model_bytes={
                "embedding": embedder.memory_mb * 2**20,
                "nli": nli.memory_mb * 2**20,
            },
        )
        return Resources(
            settings=settings,
            store=store,
            jobs=jobs,
            verifier=verifier,
            embedder=batched_embedder,
            nli=batched_nli,
            gate=gate,
            worker=worker,
            load_ms=load_ms,
            backends={"embedding": _backend(embedder), "nli": _backend(nli)},
            stopping=self._stopping,
        )

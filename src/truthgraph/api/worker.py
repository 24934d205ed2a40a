"""The background worker that runs jobs: batch verifications, document uploads, long checks.

It claims jobs from the job store (``db.roles.JobStore``, so a job that a dead server left
running is picked up again), verifies claims in small chunks through the same micro-batched
models as the interactive requests, records each chunk as it finishes, and checks for
cancellation between chunks; an upload or a long check is also checked inside its work, at
least every second (``_Watch``), and fails when one item runs past
``TRUTHGRAPH_API_JOB_ITEM_TIMEOUT_S``. Stopping the server leaves the current job to the
next start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import psycopg
import structlog

from truthgraph.db.jobs import ItemOutcome, Job, JobItem, JobStatus
from truthgraph.db.roles import EvidenceDatabase, JobStore
from truthgraph.domain import RawDocument, Verdict
from truthgraph.errors import InvalidInputError, LimitExceededError, TruthGraphError
from truthgraph.extract import ClaimExtractor, DecomposingExtractor
from truthgraph.ingest.pipeline import ingest
from truthgraph.ports import Embedder
from truthgraph.settings import RetrievalSettings
from truthgraph.verify.verifier import Verifier

log = structlog.get_logger("truthgraph.api.jobs")
MAX_PAUSE_S = 30.0  # the longest pause between tries while the database is down
STATUS_EVERY_S = 0.25  # how often a running job's status is read from inside its work
INGEST_EMBED_TEXTS = 64  # sentences per embedding call of an upload job (between checks)


class _Stopped(Exception):
    """The job was cancelled or the worker is stopping."""


class _Watch:
    """Called often from inside a job's work, with the index of the item being worked on:
    raises _Stopped once the job is cancelled (its status read at most every
    STATUS_EVERY_S) or the worker stops, and LimitExceededError once one item has taken
    longer than ``item_timeout_s``."""

    def __init__(
        self,
        jobs: JobStore,
        job: Job,
        stop: threading.Event,
        item_timeout_s: float,
        item_name: Callable[[int], str],
    ) -> None:
        self._jobs = jobs
        self._job_id = job.id
        self._stop = stop
        self._timeout_s = item_timeout_s
        self._name = item_name
        self._read_at = float("-inf")
        self._item: int | None = None
        self._item_since = time.monotonic()

    def __call__(self, item: int = 0) -> None:
        now = time.monotonic()
        if self._stop.is_set():
            raise _Stopped
        if now - self._read_at >= STATUS_EVERY_S:
            self._read_at = now
            if self._jobs.status(self._job_id) is not JobStatus.RUNNING:
                raise _Stopped
        if item != self._item:
            self._item, self._item_since = item, now
        elif now - self._item_since > self._timeout_s:
            raise LimitExceededError(
                f"{self._name(item)} took longer than {self._timeout_s:g} s "
                "(TRUTHGRAPH_API_JOB_ITEM_TIMEOUT_S)"
            )


@dataclass(frozen=True, slots=True)
class JobContext:
    """What jobs run on."""

    verifier: Verifier
    store: EvidenceDatabase
    embedder: Embedder
    retrieval: RetrievalSettings
    chunk_claims: int = 8
    extractor: Callable[[str], ClaimExtractor] = lambda name: DecomposingExtractor()
    item_timeout_s: float = 300.0


def document_to_json(document: RawDocument) -> dict[str, Any]:
    """A document as a job item's input."""
    return {
        "text": document.text,
        "title": document.title,
        "source": document.source,
        "url": document.url,
        "external_id": document.external_id,
        "metadata": document.metadata,
        "origin": document.origin,
        "fetched_at": document.fetched_at,
        "pages": list(document.pages),
    }


def document_from_json(value: dict[str, Any]) -> RawDocument:
    return RawDocument(
        text=value["text"],
        title=value.get("title"),
        source=value.get("source"),
        url=value.get("url"),
        external_id=value.get("external_id"),
        metadata=dict(value.get("metadata") or {}),
        origin=value.get("origin"),
        fetched_at=value.get("fetched_at"),
        pages=tuple(int(p) for p in value.get("pages") or ()),
    )


class JobWorker:
    """One thread that runs queued jobs, one at a time, until ``stop``."""

    def __init__(self, jobs: JobStore, context: JobContext, poll_s: float = 1.0) -> None:
        self.jobs = jobs
        self.context = context
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="job-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Look for work now (a job was just submitted)."""
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        failures = 0  # in a row: the pause doubles from poll_s to MAX_PAUSE_S
        while not self._stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = self.jobs.lock_connection()
                job = self.jobs.claim_next(conn)
                failures = 0
                if job is None:
                    self._wake.wait(self.poll_s)
                    self._wake.clear()
                    continue
                try:
                    self._run(job)
                finally:
                    self.jobs.release(conn, job.id)
            except (TruthGraphError, psycopg.Error) as exc:
                failures += 1
                if failures & (failures - 1) == 0:  # the 1st, 2nd, 4th, 8th ... in a row
                    log.warning("job_worker_error", error=str(exc), failures=failures)
                if conn is not None:
                    conn.close()
                conn = None
                self._stop.wait(min(self.poll_s * 2 ** (failures - 1), MAX_PAUSE_S))
        if conn is not None:
            conn.close()

    def _run(self, job: Job) -> None:
        log.info("job_started", job_id=str(job.id), kind=job.kind, total=job.total)
        try:
            if job.kind == "verify":
                self._run_verify(job)
            elif job.kind == "check":
                self._run_check(job)
            else:
                self._run_ingest(job)
        except _Stopped:
            log.info("job_paused_or_cancelled", job_id=str(job.id))
            return
        except TruthGraphError as exc:
            self.jobs.finish(job.id, JobStatus.FAILED, error=str(exc))
            log.info("job_failed", job_id=str(job.id), error=str(exc))
            return
        except Exception as exc:  # keep the worker alive; the job records what happened
            log.exception("job_crashed", job_id=str(job.id))
            self.jobs.finish(
                job.id, JobStatus.FAILED, error=f"internal error: {type(exc).__name__}"
            )
            return
        log.info("job_finished", job_id=str(job.id))

    def _watch(self, job: Job, item_name: Callable[[int], str]) -> _Watch:
        return _Watch(self.jobs, job, self._stop, self.context.item_timeout_s, item_name)

    def _check(self, job: Job) -> None:
        if self._stop.is_set() or self.jobs.status(job.id) is not JobStatus.RUNNING:
            raise _Stopped

    def _run_verify(self, job: Job) -> None:
        verifier = self.context.verifier
        # verdicts are saved by ``_save``, once per job item, whatever crashes and resumes
        options = verifier.options_with(
            top_k=job.params.get("top_k"), strategy=job.params.get("strategy"), persist=False
        )
        pending = self.jobs.pending_items(job.id)
        size = self.context.chunk_claims
        for begin in range(0, len(pending), size):
            self._check(job)
            chunk = pending[begin : begin + size]
            if not self.jobs.complete_items(job.id, self._verify_chunk(job, chunk, options)):
                raise _Stopped
        self.jobs.finish(job.id, JobStatus.SUCCEEDED)

    def _verify_chunk(self, job: Job, chunk: Sequence[JobItem], options: Any) -> list[ItemOutcome]:
        verifier = self.context.verifier
        try:
            verdicts = verifier.verify_many([i.input for i in chunk], job.collection, options)
        except InvalidInputError:
            if len(chunk) == 1:
                raise
            outcomes: list[ItemOutcome] = []
            for item in chunk:  # find the claim at fault; verify the others
                try:
                    [verdict] = verifier.verify_many([item.input], job.collection, options)
                    outcomes.append(ItemOutcome(item.position, self._save(job, item, verdict)))
                except InvalidInputError as exc:
                    outcomes.append(ItemOutcome(item.position, error=str(exc)))
            return outcomes
        return [
            ItemOutcome(item.position, self._save(job, item, verdict))
            for item, verdict in zip(chunk, verdicts, strict=True)
        ]

    def _save(self, job: Job, item: JobItem, verdict: Verdict) -> dict[str, Any]:
        """Store an item's verdict once: a job resumed after a crash between this save and
        ``complete_items`` gets the verdict saved the first time, not a second copy."""
        verifier = self.context.verifier
        saved = self.context.store.save_verdict(
            verdict,
            verifier.embedder.name,
            verifier.nli.name,
            origin=f"job:{job.id}:{item.position}",
        )
        return saved.to_dict()

    def _run_check(self, job: Job) -> None:
        """Check the job's one text; the report is the job's result. The text's extraction
        comes with it (the route extracted it to fail before queueing); a job queued without
        one extracts the text here."""
        from truthgraph.check.run import Extracted, check_text

        [value] = self.jobs.all_inputs(job.id)
        text: str | Extracted = value["text"]
        if "extraction" in value:
            text = Extracted.from_json(value["text"], value["extraction"])
        verifier = self.context.verifier
        options = verifier.options_with(top_k=job.params.get("top_k"), persist=False)

        watch = self._watch(job, lambda item: "the text")

        def progress(done: int, total: int) -> None:
            watch()

        watch()
        report = check_text(
            verifier,
            text,
            job.collection,
            self.context.extractor(str(job.params.get("extractor", "builtin"))),
            options,
            progress,
            value.get("source"),
        )
        labels = str(job.params.get("labels", "three-way"))
        if labels != "three-way":
            report = replace(report, labels=labels)
        self.jobs.finish(job.id, JobStatus.SUCCEEDED, result=report.to_dict())

    def _run_ingest(self, job: Job) -> None:
        ctx = self.context
        documents = [document_from_json(v) for v in self.jobs.all_inputs(job.id)]
        target = ctx.store.ensure_collection(
            job.collection, ctx.embedder.name, ctx.embedder.dimension, ctx.retrieval
        )

        def progress(done: int, total: int) -> None:
            if self._stop.is_set() or not self.jobs.set_progress(job.id, done):
                raise _Stopped

        watch = self._watch(job, lambda item: f"document {item + 1} of the upload")
        report = ingest(
            documents,
            target,
            ctx.store,
            ctx.embedder,
            batch_documents=16,
            progress=progress,
            checkpoint=watch,
            embed_texts=INGEST_EMBED_TEXTS,
        )
        self.jobs.finish(
            job.id,
            JobStatus.SUCCEEDED,
            result={
                "documents_added": report.documents_added,
                "documents_skipped": report.documents_skipped,
                "sentences_added": report.sentences_added,
                "seconds": round(report.seconds, 3),
            },
        )

"""PgJobStore: background jobs (batch verification, uploads, long checks) kept in PostgreSQL.

A job and its items live in the ``jobs`` and ``job_items`` tables, so a job survives a server
restart. A worker owns a job by holding a session advisory lock on it over a dedicated
connection: if the worker's process dies, the connection closes, the lock goes with it, and the
next worker to look picks the job up again and carries on with the items not yet done.

    queued ──▶ running ──▶ succeeded | failed
       └──────────┴──────▶ cancelled
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row

from truthgraph.db.pooled import PooledStore
from truthgraph.errors import EvidenceStoreError, NotFoundError, QueueFullError

JobKind = Literal["verify", "ingest", "check"]
_LOCK_NAMESPACE = 720415
_OWNER_NAMESPACE = 720416


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


@dataclass(frozen=True, slots=True)
class JobItem:
    """One unit of a job: a claim of a batch verification, a document of an upload."""

    position: int
    input: Any
    status: Literal["pending", "done", "failed"] = "pending"
    result: Any = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """A job's state; ``items`` holds the page of items that was asked for."""

    id: uuid.UUID
    kind: JobKind
    status: JobStatus
    collection: str
    params: dict[str, Any]
    total: int
    done: int
    failed: int
    error: str | None
    result: Any
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    items: tuple[JobItem, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What processing one item produced."""

    position: int
    result: Any = None
    error: str | None = None


class PgJobStore(PooledStore):
    """Create, read, claim, advance and cancel jobs."""

    # writing -------------------------------------------------------------------------------

    def create(
        self,
        kind: JobKind,
        collection: str,
        inputs: Sequence[Any],
        params: dict[str, Any] | None = None,
        owner: str = "",
        max_queued: int | None = None,
    ) -> Job:
        """A queued job with one item per input, queued by ``owner`` (an API key's name);
        QueueFullError if ``owner`` has ``max_queued`` jobs queued already."""
        job_id = uuid.uuid4()
        with self._connection() as conn, conn.transaction():
            if max_queued is not None:
                # one owner's jobs are counted and added one request at a time
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_OWNER_NAMESPACE, owner)
                )
                row = conn.execute(
                    "SELECT count(*) FROM jobs WHERE owner = %s AND status = 'queued'", (owner,)
                ).fetchone()
                if row is not None and row[0] >= max_queued:
                    raise QueueFullError(
                        f"this API key has {row[0]} jobs queued; the limit is {max_queued} "
                        "(TRUTHGRAPH_API_MAX_QUEUED_JOBS_PER_KEY): retry once one has started"
                    )
            conn.execute(
                "INSERT INTO jobs (id, kind, collection, params, total, owner) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (job_id, kind, collection, json.dumps(params or {}), len(inputs), owner),
            )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO job_items (job_id, position, input) VALUES (%s, %s, %s)",
                    [(job_id, i, json.dumps(value)) for i, value in enumerate(inputs)],
                )
        return self.get(job_id, items_limit=0)

    def cancel(self, job_id: uuid.UUID) -> Job:
        """Cancel a queued or running job (a running one stops after its current chunk);
        a finished job is returned unchanged."""
        with self._connection() as conn:
            conn.execute(
                """
                UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now()
                WHERE id = %s AND status IN ('queued', 'running')
                """,
                (job_id,),
            )
        return self.get(job_id, items_limit=0)

    def complete_items(self, job_id: uuid.UUID, outcomes: Sequence[ItemOutcome]) -> bool:
        """Record finished items; False (and nothing written) if the job is no longer running,
        for instance because it was cancelled."""
        with self._connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT status FROM jobs WHERE id = %s FOR UPDATE", (job_id,)
            ).fetchone()
            if row is None or row[0] != JobStatus.RUNNING:
                return False
            with conn.cursor() as cur:
                cur.executemany(
                    """
                    UPDATE job_items SET status = %s, result = %s, error = %s
                    WHERE job_id = %s AND position = %s AND status = 'pending'
                    """,
                    [
                        (
                            "failed" if o.error is not None else "done",
                            json.dumps(o.result) if o.result is not None else None,
                            o.error,
                            job_id,
                            o.position,
                        )
                        for o in outcomes
                    ],
                )
            conn.execute(
                """
                UPDATE jobs SET
                    done = (SELECT count(*) FROM job_items WHERE job_id = %(id)s
                            AND status <> 'pending'),
                    failed = (SELECT count(*) FROM job_items WHERE job_id = %(id)s
                              AND status = 'failed'),
                    updated_at = now()
                WHERE id = %(id)s
                """,
                {"id": job_id},
            )
        return True

    def set_progress(self, job_id: uuid.UUID, done: int) -> bool:
        """Record how many items are done (jobs that do not track items one by one); False if
        the job is no longer running."""
        with self._connection() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET done = %s, updated_at = now() "
                "WHERE id = %s AND status = 'running'",
                (done, job_id),
            )
            return cursor.rowcount == 1

    def finish(
        self,
        job_id: uuid.UUID,
        status: JobStatus,
        error: str | None = None,
        result: Any = None,
    ) -> None:
        """Close a running job (a cancelled one stays cancelled). A job that succeeded has
        done all its items, whether or not they were counted one by one (a check job's one
        text is not)."""
        with self._connection() as conn:
            conn.execute(
                """
                UPDATE jobs SET status = %(status)s, error = %(error)s, result = %(result)s,
                                done = CASE WHEN %(status)s = 'succeeded' THEN total
                                            ELSE done END,
                                finished_at = now(), updated_at = now()
                WHERE id = %(id)s AND status = 'running'
                """,
                {
                    "status": status.value,
                    "error": error,
                    "result": json.dumps(result) if result is not None else None,
                    "id": job_id,
                },
            )

    # reading -------------------------------------------------------------------------------

    def get(self, job_id: uuid.UUID, items_offset: int = 0, items_limit: int = 100) -> Job:
        """A job with a page of its items; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute("SELECT * FROM jobs WHERE id = %s", (job_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no job with id {job_id}")
            items = (
                cur.execute(
                    """
                    SELECT position, input, status, result, error FROM job_items
                    WHERE job_id = %s ORDER BY position LIMIT %s OFFSET %s
                    """,
                    (job_id, items_limit, items_offset),
                ).fetchall()
                if items_limit > 0
                else []
            )
        return _job(row, items)

    def pending_items(self, job_id: uuid.UUID) -> list[JobItem]:
        """The items of a job not processed yet, in order."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                """
                SELECT position, input, status, result, error FROM job_items
                WHERE job_id = %s AND status = 'pending' ORDER BY position
                """,
                (job_id,),
            ).fetchall()
        return [_item(r) for r in rows]

    def all_inputs(self, job_id: uuid.UUID) -> list[Any]:
        """Every item's input, in order."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT input FROM job_items WHERE job_id = %s ORDER BY position", (job_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def status(self, job_id: uuid.UUID) -> JobStatus:
        with self._connection() as conn:
            row = conn.execute("SELECT status FROM jobs WHERE id = %s", (job_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no job with id {job_id}")
        return JobStatus(row[0])

    # ownership -----------------------------------------------------------------------------

    def lock_connection(self) -> psycopg.Connection[Any]:
        """A dedicated connection for ``claim_next``/``release``; its locks die with it."""
        try:
            return psycopg.connect(self.url, autocommit=True, prepare_threshold=None)
        except psycopg.Error as exc:
            raise EvidenceStoreError(f"database unreachable: {exc}") from exc

    def claim_next(self, lock_conn: psycopg.Connection[Any]) -> Job | None:
        """Take a queued job, or a running one whose worker died, and mark it running.

        Owners are served in turn: the oldest job of the owner whose last job started longest
        ago (or never) comes first, so one key's many jobs do not hold back another's one.
        The job stays owned (advisory lock on ``lock_conn``) until ``release``.
        """
        candidates = lock_conn.execute(
            """
            SELECT j.id FROM jobs j
            WHERE j.status IN ('queued', 'running')
            ORDER BY (SELECT max(s.started_at) FROM jobs s WHERE s.owner = j.owner)
                     ASC NULLS FIRST,
                     j.created_at
            LIMIT 50
            """
        ).fetchall()
        for (job_id,) in candidates:
            locked = lock_conn.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (_LOCK_NAMESPACE, str(job_id))
            ).fetchone()
            if not locked or not locked[0]:
                continue
            claimed = lock_conn.execute(
                """
                UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()),
                                updated_at = now()
                WHERE id = %s AND status IN ('queued', 'running') RETURNING id
                """,
                (job_id,),
            ).fetchone()
            if claimed is not None:
                return self.get(job_id, items_limit=0)
            self.release(lock_conn, job_id)
        return None

    def release(self, lock_conn: psycopg.Connection[Any], job_id: uuid.UUID) -> None:
        lock_conn.execute(
            "SELECT pg_advisory_unlock(%s, hashtext(%s))", (_LOCK_NAMESPACE, str(job_id))
        )


def _item(row: dict[str, Any]) -> JobItem:
    return JobItem(
        position=int(row["position"]),
        input=row["input"],
        status=row["status"],
        result=row["result"],
        error=row["error"],
    )


def _job(row: dict[str, Any], items: Sequence[dict[str, Any]]) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        status=JobStatus(row["status"]),
        collection=row["collection"],
        params=dict(row["params"] or {}),
        total=int(row["total"]),
        done=int(row["done"]),
        failed=int(row["failed"]),
        error=row["error"],
        result=row["result"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        items=tuple(_item(r) for r in items),
    )

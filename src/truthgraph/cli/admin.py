"""truthgraph collections / db: what is stored, and the schema."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state

db_app = typer.Typer(help="Database schema and status.", no_args_is_help=True)


@exits_cleanly
def collections_command(ctx: typer.Context) -> None:
    """List collections with their model, index and sizes."""
    table = Table("collection", "embedding model", "dim", "index", "documents", "sentences")
    for collection, documents, evidence in state(ctx).store().list_collections():
        table.add_row(
            collection.name,
            collection.embedding_model,
            str(collection.embedding_dim),
            collection.index_type,
            str(documents),
            str(evidence),
        )
    Console().print(table)


@db_app.command("upgrade")
@exits_cleanly
def upgrade_command(ctx: typer.Context) -> None:
    """Apply schema migrations (also done automatically on every command)."""
    from truthgraph.db.database import database_url
    from truthgraph.db.migrate import current_revision, upgrade

    url = database_url(state(ctx).settings)
    upgrade(url)
    Console().print(f"schema at revision {current_revision(url)}")


@db_app.command("status")
@exits_cleanly
def status_command(ctx: typer.Context) -> None:
    """Where the database is and which schema revision it has."""
    from truthgraph.db.database import database_url
    from truthgraph.db.migrate import current_revision

    settings = state(ctx).settings
    url = database_url(settings)
    kind = "external" if settings.database_url is not None else f"embedded ({settings.pgdata_dir})"
    Console().print(f"database: {kind}\nschema revision: {current_revision(url) or 'none'}")

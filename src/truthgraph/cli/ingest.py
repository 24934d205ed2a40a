"""truthgraph ingest: load documents into a collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from truthgraph.cli.errors import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.state import state
from truthgraph.ingest.pipeline import IngestReport, ingest, load_documents

COLLECTION = typer.Option("--collection", "-c", help="Collection to write into.")


def ingest_paths(
    ctx: typer.Context, paths: list[Path], collection: str, show_progress: bool = True
) -> IngestReport:
    """Read, split, embed and store; shared by ``ingest`` and ``demo``."""
    app = state(ctx)
    files, documents = load_documents(paths)
    embedder = app.embedder()
    store = app.store()
    target = store.ensure_collection(
        collection, embedder.name, embedder.dimension, app.settings.retrieval
    )
    if not show_progress:
        return ingest(documents, target, store, embedder, files=files)
    with progress_bar(f"ingest → {collection}") as update:
        return ingest(documents, target, store, embedder, files=files, progress=update)


@exits_cleanly
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: .jsonl, .csv, .txt, .md.")],
    collection: Annotated[str, COLLECTION] = "default",
) -> None:
    """Split documents into sentences, embed them and store them in a collection.

    JSONL rows are {"id"?, "text", "title"?, "source"?, "url"?, ...}; CSV needs a text
    column; a .txt or .md file is one document. Documents already stored (same content)
    are skipped, so an interrupted ingest resumes where it stopped.
    """
    report = ingest_paths(ctx, paths, collection)
    Console().print(
        f"{report.documents_added} documents added, {report.documents_skipped} already present "
        f"or empty, {report.sentences_added} sentences in {report.seconds:.1f} s "
        f"({report.sentences_per_second:.0f} sentences/s) → collection {collection!r}"
    )

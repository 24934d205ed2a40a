"""What the measuring tools of ``truthgraph bench`` share: where they write, the table they
print, the JSON they write (with the machine described), and their flags' parsing.

Each tool is a module of this package with a ``main(argv, settings)``: it parses its own flags
(argparse, so the performance guide's flags stay as they were), builds the models and the
database from the settings it is given (``truthgraph bench`` passes the CLI's, global flags
included), prints a table and writes JSON. The measuring code is ``truthgraph.bench``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from truthgraph.bench.machine import describe_machine
from truthgraph.files import atomic_write
from truthgraph.settings import Settings

RESULTS_DIR = "benchmarks"  # under TRUTHGRAPH_HOME, unless --output says where


def default_output(settings: Settings, name: str) -> Path:
    """Where a tool writes its JSON when no ``--output`` is given: TRUTHGRAPH_HOME/benchmarks."""
    return settings.home / RESULTS_DIR / name


STAGE_NAMES = {
    "embedding": "Embedding",
    "retrieval": "Retrieval",
    "nli": "NLI",
    "aggregation": "Aggregation",
    "database": "Database",
    "second_opinion": "Second opinion",
    "overhead": "Overhead",
}
console = Console()


def write_json(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` (with machine and time added if missing) to ``path``."""
    data.setdefault("machine", describe_machine())
    data.setdefault("measured_at", datetime.now(UTC).isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, indent=2, default=str) + "\n")
    console.print(f"[dim]wrote {path}[/]")
    return path


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    shown = Table(*columns, title=title)
    for row in rows:
        shown.add_row(*(str(x) for x in row))
    console.print(shown)


def ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text}") from exc


def quiet() -> None:
    from truthgraph.wiring import quiet_libraries

    quiet_libraries()

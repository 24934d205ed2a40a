"""What the measuring tools of ``truthgraph bench`` share: where they write, the table they
print, the JSON they write (with the machine described), and their flags' parsing.

Each tool is a module of this package with a ``main(argv, settings)``: it parses its own flags
(argparse, so the performance guide's flags stay as they were), builds the models and the
database from the settings it is given (``truthgraph bench`` passes the CLI's, global flags
included), prints a table and writes JSON. The measuring code is ``truthgraph.bench``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from truthgraph.bench.machine import describe_machine
from truthgraph.data.files import atomic_write
from truthgraph.settings import Settings

if TYPE_CHECKING:
    from truthgraph.bench.e2e import Parts
    from truthgraph.verify.verifier import Verifier

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


def output_flag(parser: argparse.ArgumentParser, name: str) -> None:
    """The ``--output`` flag of a tool whose JSON goes to TRUTHGRAPH_HOME/benchmarks/``name``
    when it is not given (``default_output``)."""
    parser.add_argument(
        "--output", type=Path, help=f"JSON file (default: TRUTHGRAPH_HOME/{RESULTS_DIR}/{name})"
    )


def measured_parts(settings: Settings) -> tuple[Callable[[], Parts], Callable[[Parts], Verifier]]:
    """What ``bench.e2e.run_e2e`` and ``bench.core.measure_core`` load, from one
    ``wiring.Parts``: the store and both models, and a verifier with its caches off (every
    claim is embedded and every pair scored, as a new claim would be)."""
    from truthgraph.wiring import Parts as Built

    built = Built(settings)

    def load_parts() -> Parts:
        return built.store, built.embedder, built.nli

    return load_parts, lambda _: built.verifier(caches=False)


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

"""truthgraph demo: ingest the bundled demo corpus and verify a handful of claims."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.ingest import ingest_paths
from truthgraph.cli.render import print_verdict
from truthgraph.cli.state import state
from truthgraph.data.jsonl import read_objects

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def demo_claims() -> list[dict[str, str]]:
    """The bundled demo claims with the verdict each should get."""
    return [
        {key: str(value) for key, value in row.items()}
        for _, row in read_objects(DEMO_DIR / "claims.jsonl")
    ]


@exits_cleanly
def demo_command(
    ctx: typer.Context,
    collection: Annotated[str, typer.Option("--collection", "-c")] = "demo",
) -> None:
    """Ingest the demo corpus and verify the demo claims.

    The corpus is 40 Wikipedia pages (FEVER evidence, CC BY-SA 3.0); each verdict is printed
    with its evidence and the expected answer.
    """
    console = Console()
    report = ingest_paths(ctx, [DEMO_DIR / "corpus.jsonl"], collection)
    console.print(
        f"demo corpus: {report.documents_added} documents added "
        f"({report.documents_skipped} already present) in collection {collection!r}"
    )
    claims = demo_claims()
    verdicts = state(ctx).verifier().verify_many([c["claim"] for c in claims], collection)
    right = 0
    for claim, verdict in zip(claims, verdicts, strict=True):
        print_verdict(console, verdict)
        ok = verdict.label.value == claim["expected"]
        right += ok
        console.print(
            f"expected {claim['expected']}: " + ("[green]right[/]" if ok else "[red]wrong[/]")
        )
    console.print(f"[bold]{right}/{len(claims)} demo verdicts as expected[/]")

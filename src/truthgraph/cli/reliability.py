"""truthgraph reliability: inject faults, fuzz the API, soak it, check isolation; write the
report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state


@exits_cleanly
def reliability_command(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Where to write the report (default TRUTHGRAPH_HOME/RELIABILITY.md)."
        ),
    ] = None,
    fuzz_examples: Annotated[
        int, typer.Option("--fuzz-examples", min=1, max=1000, help="Examples an operation.")
    ] = 25,
    soak_requests: Annotated[
        int, typer.Option("--soak", min=10, max=100_000, help="Sequential verifications.")
    ] = 1000,
) -> None:
    """Kill real processes (ingest, server, database) and count what was lost or doubled;
    send hostile input; fuzz the HTTP API from its OpenAPI schema; soak a server; flood it with
    one key's uploads while another key verifies, send it a 200 KB paragraph, try SSRF names
    through a resolver it controls; try every API key on every collection. Everything runs on
    this machine, on loopback, on homes of its own that borrow this home's model files. Takes
    about ten minutes."""
    from truthgraph.reliability.suite import render, run_all

    settings = state(ctx).settings
    target = out or settings.home / "RELIABILITY.md"
    err = Console(stderr=True)
    run = run_all(
        settings.home,
        fuzz_examples=fuzz_examples,
        soak_requests=soak_requests,
        progress=lambda step: err.print(f"[dim]{step} ...[/]"),
    )
    command = "truthgraph reliability" + (f" --out {out}" if out else "")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(run, command))
    lost = sum(f.lost for f in run.faults)
    doubled = sum(f.doubled for f in run.faults)
    fuzz_5xx = len(run.fuzz.server_errors) if run.fuzz else 0
    leaks = sum(c.leak for c in run.cells)
    Console().print(
        f"{len(run.faults)} faults ({sum(f.survived for f in run.faults)} survived), lost "
        f"{lost}, doubled {doubled}; {run.fuzz.requests if run.fuzz else 0} fuzzed requests, "
        f"{fuzz_5xx} 5xx; {leaks} isolation leaks; {sum(a.passed for a in run.attacks)}/"
        f"{len(run.attacks)} attacks held → {target}"
    )

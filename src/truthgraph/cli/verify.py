"""truthgraph verify / show: verdicts for claims, and past verifications."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.progress import progress_bar
from truthgraph.cli.ray_flags import RAY, RAY_CPUS, RAY_GPUS, RAY_WORKERS, ray_options
from truthgraph.cli.render import print_verdict
from truthgraph.cli.state import state
from truthgraph.data.files import read_text_file
from truthgraph.data.jsonl import read_objects
from truthgraph.domain import Strategy, Verdict
from truthgraph.errors import DatasetError, InvalidInputError
from truthgraph.verify.options import replace_options


def read_claims(path: Path) -> list[str]:
    """Claims from a .jsonl file ({"claim": ...} per line) or a text file (one per line)."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        claims = [_claim(row, path, number) for number, row in read_objects(path)]
    else:
        claims = [line.rstrip("\r") for line in read_text_file(path).split("\n") if line.strip()]
    if not claims:
        raise DatasetError(f"{path}: no claims")
    return claims


def _claim(row: dict[str, Any], path: Path, number: int) -> str:
    claim = row.get("claim", row.get("text"))
    if not isinstance(claim, str):
        raise DatasetError(f'{path}:{number}: no "claim" field')
    return claim


@exits_cleanly
def verify_command(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Argument(help="The claim to verify.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help='Many claims: .jsonl ({"claim"}) or one per line.'),
    ] = None,
    collection: Annotated[str, typer.Option("--collection", "-c")] = "default",
    top_k: Annotated[
        int | None, typer.Option("--top-k", "-k", min=1, max=200, help="Evidence sentences.")
    ] = None,
    strategy: Annotated[
        Strategy | None, typer.Option("--strategy", "-s", help="Aggregation strategy.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one line per claim).")] = (
        False
    ),
    save: Annotated[bool, typer.Option("--save/--no-save", help="Keep the result.")] = True,
    ef_search: Annotated[
        int | None, typer.Option("--ef-search", min=1, max=1000, help="HNSW search breadth.")
    ] = None,
    probes: Annotated[
        int | None, typer.Option("--probes", min=1, max=1000, help="IVFFlat lists searched.")
    ] = None,
    ray: Annotated[str | None, RAY] = None,
    ray_workers: Annotated[int, RAY_WORKERS] = 1,
    ray_cpus: Annotated[float | None, RAY_CPUS] = None,
    ray_gpus: Annotated[float, RAY_GPUS] = 0.0,
) -> None:
    """Verify a claim: SUPPORTED, REFUTED or NOT_ENOUGH_INFO, with its evidence.

    Prints the confidence, per-class scores, the evidence used (text, source, offsets,
    similarity, NLI label and probabilities) and the time of each stage. With --file
    and --ray the claims are embedded, searched, scored and stored by Ray workers
    (docs/scale.md), with the same verdicts.
    """
    if (claim is None) == (file is None):
        raise InvalidInputError("give either a CLAIM or --file, not both or neither")
    on_ray = ray_options(ray, ray_workers, ray_cpus, ray_gpus)
    claims = [claim] if claim is not None else read_claims(file)  # type: ignore[arg-type]
    app = state(ctx)
    if on_ray is not None:
        from truthgraph.distributed.ray_setup import import_ray
        from truthgraph.distributed.verify import verify_claims_on_ray
        from truthgraph.wiring import verify_options

        import_ray()
        ray_verify = replace_options(
            verify_options(app.settings),
            top_k=top_k,
            strategy=strategy,
            persist=save,
            ef_search=ef_search,
            probes=probes,
        )
        with progress_bar("verify (Ray)") as update:
            verdicts = verify_claims_on_ray(
                claims, collection, app.settings, on_ray, ray_verify, update
            )
        _print_verdicts(verdicts, as_json)
        return
    verifier = app.verifier()
    options = verifier.options_with(
        top_k=top_k, strategy=strategy, persist=save, ef_search=ef_search, probes=probes
    )
    if len(claims) > 1:
        with progress_bar("verify") as update:
            verdicts = verifier.verify_many(claims, collection, options, progress=update)
    else:
        verdicts = verifier.verify_many(claims, collection, options)
    _print_verdicts(verdicts, as_json)


def _print_verdicts(verdicts: Sequence[Verdict], as_json: bool) -> None:
    console = Console()
    for verdict in verdicts:
        if as_json:
            sys.stdout.write(json.dumps(verdict.to_dict(), ensure_ascii=False) + "\n")
        else:
            print_verdict(console, verdict)


@exits_cleanly
def show_command(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(help="The id printed by verify.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a past verification by its id."""
    verdict = state(ctx).store().get_verdict(claim_id)
    if as_json:
        sys.stdout.write(json.dumps(verdict.to_dict(), ensure_ascii=False) + "\n")
    else:
        print_verdict(Console(), verdict)

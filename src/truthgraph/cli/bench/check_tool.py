"""``truthgraph bench check``: a whole text checked, caches off, seconds per stage; or a text
checked against given documents in memory, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from truthgraph.cli.state import state


def check_bench_command(
    ctx: typer.Context,
    words: int = typer.Option(2000, "--words", min=50, max=2795, help="Article length."),
    repeat: int = typer.Option(3, "--repeat", min=1, max=50, help="Timed checks."),
    extractor: str = typer.Option("builtin", "--extractor", help="builtin or sentence."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=200, help="Evidence per claim."),
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            help="Time checking against these documents in memory instead (repeat; files or "
            "URLs, as check --against): read, split, embed, search, verify, roll up.",
        ),
    ] = None,
    answer: Annotated[
        Path | None,
        typer.Option("--answer", help="With --against: the text to check (default: drawn)."),
    ] = None,
    answer_words: int = typer.Option(
        200, "--answer-words", min=10, max=5000, help="With --against: the drawn answer's words."
    ),
) -> None:
    """A demo-corpus article of --words words checked whole, caches off: seconds per stage
    (median of --repeat runs after one untimed run). With --against: a --answer-words answer
    checked against the given documents, end to end, with no database: seconds per stage and
    the p50 of the whole."""
    import json
    import sys

    if against:
        _bench_against(ctx, against, answer, answer_words, repeat, extractor, top_k)
        return

    from rich.console import Console

    from truthgraph.bench.check import STAGES, bench_check
    from truthgraph.bench.machine import describe_machine, machine_line
    from truthgraph.cli.progress import progress_bar
    from truthgraph.wiring import build_extractor, build_verifier

    app = state(ctx)
    store, embedder = app.store(), app.embedder()
    # no embedding or NLI cache: each timed check pays for its models, as a new text would
    verifier = build_verifier(app.settings, store, embedder, app.nli(), caches=False)
    with progress_bar("bench check") as update:
        result = bench_check(
            verifier,
            store,
            embedder,
            embedder.dimension,
            app.settings.retrieval,
            build_extractor(app.settings, extractor),
            "bench-check-demo",
            words,
            repeat,
            update,
            top_k,
        )
    result["machine"] = machine_line(describe_machine())
    result["embedding_backend"] = embedder.backend
    result["nli_backend"] = app.nli().backend
    console = Console(highlight=False)
    console.print(
        f"{result['words']} words, {result['sentences_checked']} of {result['sentences']} "
        f"sentences checked, {result['claims']} claims ({result['extractor']}, top-"
        f"{result['top_k']}); {result['machine']}"
    )
    for stage in STAGES:
        console.print(f"  {stage:<13} {result['stages_ms'][stage] / 1000:8.3f} s")
    sys.stdout.write(json.dumps(result) + "\n")


def _bench_against(
    ctx: typer.Context,
    against: list[str],
    answer: Path | None,
    answer_words: int,
    repeat: int,
    extractor: str,
    top_k: int | None,
) -> None:
    import json
    import sys

    from rich.console import Console

    from truthgraph.bench.check import AGAINST_STAGES, bench_check_against
    from truthgraph.bench.machine import describe_machine, machine_line
    from truthgraph.check.source import read_source
    from truthgraph.cli.progress import progress_bar
    from truthgraph.wiring import build_extractor, build_grounding_verifier

    app = state(ctx)
    text = read_source(str(answer), app.settings.fetch).text if answer is not None else None
    embedder, nli = app.embedder(), app.nli()
    verifier = build_grounding_verifier(app.settings, None, embedder, nli)
    with progress_bar("bench check --against") as update:
        result = bench_check_against(
            verifier,
            embedder,
            build_extractor(app.settings, extractor),
            against,
            app.settings.fetch,
            text,
            answer_words,
            repeat,
            update,
            top_k,
        )
    result["machine"] = machine_line(describe_machine())
    result["embedding_backend"] = embedder.backend
    result["nli_backend"] = nli.backend
    console = Console(highlight=False)
    console.print(
        f"{result['answer_words']} words against {result['documents']} documents "
        f"({sum(result['document_words'])} words), {result['claims']} claims, p50 "
        f"{result['p50_s']:.3f} s; {result['machine']}"
    )
    for stage in AGAINST_STAGES:
        console.print(f"  {stage:<15} {result['stages_ms'][stage] / 1000:8.3f} s")
    sys.stdout.write(json.dumps(result) + "\n")

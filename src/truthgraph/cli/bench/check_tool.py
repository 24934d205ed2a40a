"""``truthgraph bench check``: a whole text checked, caches off, seconds per stage; or a text
checked against given documents in memory, end to end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from truthgraph.cli.state import state

if TYPE_CHECKING:
    from truthgraph.ports import LoadedEmbedder, LoadedNLIModel


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
    if against:
        _bench_against(ctx, against, answer, answer_words, repeat, extractor, top_k)
        return

    from truthgraph.bench.check_timing import STAGES, bench_check
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
    _show(
        result,
        embedder,
        app.nli(),
        lambda r: (
            f"{r['words']} words, {r['sentences_checked']} of {r['sentences']} sentences "
            f"checked, {r['claims']} claims ({r['extractor']}, top-{r['top_k']}); {r['machine']}"
        ),
        STAGES,
        13,
    )


def _bench_against(
    ctx: typer.Context,
    against: list[str],
    answer: Path | None,
    answer_words: int,
    repeat: int,
    extractor: str,
    top_k: int | None,
) -> None:
    from truthgraph.bench.check_timing import AGAINST_STAGES, bench_check_against
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
            answer=text,
            answer_words=answer_words,
            repeat=repeat,
            progress=update,
            top_k=top_k,
        )
    _show(
        result,
        embedder,
        nli,
        lambda r: (
            f"{r['answer_words']} words against {r['documents']} documents "
            f"({sum(r['document_words'])} words), {r['claims']} claims, p50 {r['p50_s']:.3f} s; "
            f"{r['machine']}"
        ),
        AGAINST_STAGES,
        15,
    )


def _show(
    result: dict[str, Any],
    embedder: LoadedEmbedder,
    nli: LoadedNLIModel,
    headline: Callable[[dict[str, Any]], str],
    stages: Sequence[str],
    width: int,
) -> None:
    """``result`` with the machine and both backends added: its headline and the seconds of
    each stage printed, then the whole as one line of JSON on stdout."""
    import json
    import sys

    from rich.console import Console

    from truthgraph.bench.machine import describe_machine, machine_line

    result["machine"] = machine_line(describe_machine())
    result["embedding_backend"] = embedder.backend
    result["nli_backend"] = nli.backend
    console = Console(highlight=False)
    console.print(headline(result))
    for stage in stages:
        console.print(f"  {stage:<{width}} {result['stages_ms'][stage] / 1000:8.3f} s")
    sys.stdout.write(json.dumps(result) + "\n")

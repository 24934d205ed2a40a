"""truthgraph bench: the performance guide's tools (same code as scripts/*.py).

Each tool runs with the CLI's settings, so ``truthgraph --home DIR bench ...`` measures
the models and database under DIR."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from truthgraph.cli.errors import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.settings import Settings

bench_app = typer.Typer(
    help="Benchmarks and profiling (flags as in the performance guide; --help on each).",
    no_args_is_help=True,
)
_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


Tool = Callable[[Sequence[str], Settings], Any]


def _register(name: str, summary: str, loader: Callable[[], Tool]) -> None:
    @bench_app.command(name, help=summary, context_settings=_PASS_THROUGH, add_help_option=False)
    @exits_cleanly
    def command(ctx: typer.Context) -> None:
        loader()(list(ctx.args), state(ctx).settings)


def _tool(attribute: str) -> Callable[[], Tool]:
    def load() -> Tool:
        from truthgraph.cli import bench_tools

        function: Tool = getattr(bench_tools, attribute)
        return function

    return load


_register(
    "embeddings",
    "Embedding throughput (--num-texts, --batch-sizes).",
    _tool("benchmark_embeddings_main"),
)
_register("nli", "NLI throughput (--pairs, --batch-size).", _tool("benchmark_nli_main"))
_register(
    "vector-search",
    "Vector search p50/p95/p99 and recall@10, HNSW and IVFFlat (--corpus-size).",
    _tool("benchmark_vector_search_main"),
)
_register(
    "profile",
    "cProfile the ML services (--service, --num-samples, --output-dir).",
    _tool("profile_ml_services_main"),
)
_register(
    "batch-sizes",
    "Find and save the optimal batch size (--service, --min-batch, --max-batch, --memory-limit).",
    _tool("optimize_batch_sizes_main"),
)
_register(
    "e2e",
    "End-to-end claim-to-verdict timing (--num-claims, --evidence-count, --warmup).",
    _tool("e2e_main"),
)
_register(
    "coldstart",
    "First start on a fresh home and warm cold starts: seconds, model load ms, RSS (--repeat).",
    _tool("coldstart_main"),
)


_register(
    "sources",
    "Web page and PDF ingestion in sentences/s, and extraction quality (--pages, --pdf-pages).",
    _tool("benchmark_sources_main"),
)
_register(
    "scale",
    "One process vs Ray (1, 2 workers) and the sizing table: writes SCALE.md (--out).",
    _tool("scale_main"),
)


@bench_app.command("check")
@exits_cleanly
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

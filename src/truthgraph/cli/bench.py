"""truthgraph bench: the performance guide's tools (same code as scripts/*.py).

Each tool runs with the CLI's settings, so ``truthgraph --home DIR bench ...`` measures
the models and database under DIR."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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

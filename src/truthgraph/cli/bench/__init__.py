"""truthgraph bench: the measuring tools, one module per tool (``*_tool.py``).

Each tool runs with the CLI's settings, so ``truthgraph --home DIR bench ...`` measures
the models and database under DIR. A tool's flags are its own (``--help`` on each): the
command passes them through to the tool's ``main(argv, settings)``, loaded when it runs."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import typer

from truthgraph.cli.bench.check_tool import check_bench_command
from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.settings import Settings

bench_app = typer.Typer(
    help="Benchmarks and profiling (flags as in the performance guide; --help on each).",
    no_args_is_help=True,
)
_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


Tool = Callable[[Sequence[str], Settings], Any]


def _register(name: str, summary: str, module: str) -> None:
    """``truthgraph bench NAME``: ``truthgraph.cli.bench.MODULE.main`` with the command's
    arguments, the module imported when the command runs."""

    @bench_app.command(name, help=summary, context_settings=_PASS_THROUGH, add_help_option=False)
    @exits_cleanly
    def command(ctx: typer.Context) -> None:
        tool: Tool = importlib.import_module(f"truthgraph.cli.bench.{module}").main
        tool(list(ctx.args), state(ctx).settings)


_register("embeddings", "Embedding throughput (--num-texts, --batch-sizes).", "embeddings_tool")
_register("nli", "NLI throughput (--pairs, --batch-size).", "nli_tool")
_register(
    "vector-search",
    "Vector search p50/p95/p99 and recall@10, HNSW and IVFFlat (--corpus-size).",
    "vector_search_tool",
)
_register(
    "profile",
    "cProfile the ML services (--service, --num-samples, --output-dir).",
    "profile_tool",
)
_register(
    "batch-sizes",
    "Find and save the optimal batch size (--service, --min-batch, --max-batch, --memory-limit).",
    "batch_sizes_tool",
)
_register(
    "e2e",
    "End-to-end claim-to-verdict timing (--num-claims, --evidence-count, --warmup).",
    "e2e_tool",
)
_register(
    "core",
    "The core engine's headline figures in a fresh home: cold start, RSS, ingestion rate, "
    "claim-to-verdict latency at top-10, caches off; JSON on stdout (--scifact-dir, --output).",
    "core_tool",
)
_register(
    "coldstart",
    "First start on a fresh home and warm cold starts: seconds, model load ms, RSS (--repeat).",
    "coldstart_tool",
)
_register(
    "sources",
    "Web page and PDF ingestion in sentences/s, and extraction quality (--pages, --pdf-pages).",
    "sources_tool",
)
_register(
    "scale",
    "One process vs Ray (1, 2 workers) and the sizing table: writes SCALE.md (--out).",
    "scale_tool",
)
bench_app.command("check")(exits_cleanly(check_bench_command))

"""The performance guide's command-line tools. ``scripts/*.py`` and ``truthgraph bench`` call
these ``main`` functions; each prints a table and writes JSON with the machine described.

This is where the measuring code of ``truthgraph.bench`` meets the models and the database:
each tool builds them from the settings it is given (``truthgraph bench`` passes the CLI's,
global flags included; a script reads the ``TRUTHGRAPH_*`` environment)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from truthgraph.bench.data import DEFAULT_CLAIMS, DEFAULT_CORPUS
from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.settings import Settings

if TYPE_CHECKING:
    from truthgraph.settings import IndexVectorType

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
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    console.print(f"[dim]wrote {path}[/]")
    return path


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(x) for x in row))
    console.print(table)


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text}") from exc


def _quiet() -> None:
    from truthgraph.wiring import quiet_libraries

    quiet_libraries()


def benchmark_embeddings_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Embedding throughput on real sentences.")
    parser.add_argument("--num-texts", type=int, default=1000)
    parser.add_argument("--batch-sizes", type=_ints, default=[16, 32, 64])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--output",
        type=Path,
        help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/embeddings.json)",
    )
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.data import sample_texts
    from truthgraph.bench.throughput import benchmark_embeddings
    from truthgraph.wiring import build_embedder

    settings = settings or Settings()
    result = benchmark_embeddings(
        build_embedder(settings),
        sample_texts(args.num_texts, args.corpus),
        args.batch_sizes,
        args.repeats,
    )
    result["backend"] = settings.model.backend
    _table(
        f"embedding {result['model']} ({result['mean_words_per_text']} words/text) "
        f"on {machine_line(describe_machine())}",
        ["batch", "texts/s", "s (median)", "RSS MB"],
        [
            (r["batch_size"], r["texts_per_s"], r["seconds_median"], r["rss_mb"])
            for r in result["results"]
        ],
    )
    write_json(result, args.output or default_output(settings, "embeddings.json"))
    return result


def benchmark_nli_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="NLI verifier throughput on real pairs.")
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/nli.json)"
    )
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.data import sample_pairs
    from truthgraph.bench.throughput import benchmark_nli
    from truthgraph.wiring import build_nli

    settings = settings or Settings()
    result = benchmark_nli(
        build_nli(settings),
        sample_pairs(args.pairs, args.corpus, args.claims),
        args.batch_size,
        args.repeats,
    )
    result["backend"] = settings.model.backend
    _table(
        f"NLI {result['model']} on {machine_line(describe_machine())}",
        ["pairs", "batch", "pairs/s", "single pair ms", "RSS MB"],
        [
            (
                result["num_pairs"],
                result["batch_size"],
                result["pairs_per_s"],
                result["single_pair_ms_median"],
                result["rss_mb"],
            )
        ],
    )
    write_json(result, args.output or default_output(settings, "nli.json"))
    return result


def benchmark_vector_search_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="pgvector search latency and recall@10.")
    parser.add_argument("--corpus-size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--index", type=str, default="hnsw,ivfflat")
    parser.add_argument("--ef-search", type=_ints, default=[40, 100])
    parser.add_argument("--probes", type=_ints, default=[10, 20])
    parser.add_argument("--hnsw-m", type=_ints, default=[16], help="HNSW m values to build")
    parser.add_argument(
        "--ef-construction", type=_ints, default=[64], help="HNSW ef_construction values"
    )
    parser.add_argument(
        "--vector-type",
        type=str,
        default="vector",
        help="what HNSW indexes hold: vector (float32), halfvec (float16) or both, comma-separated",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument(
        "--output",
        type=Path,
        help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/vector_search.json)",
    )
    args = parser.parse_args(argv)
    known: dict[str, IndexVectorType] = {"vector": "vector", "halfvec": "halfvec"}
    names = [x.strip() for x in args.vector_type.split(",")]
    if not names or not set(names) <= set(known):
        parser.error(f"--vector-type: use vector, halfvec or both, not {args.vector_type!r}")
    vector_types = [known[x] for x in names]
    _quiet()
    from truthgraph.bench.data import claims, corpus_sentences
    from truthgraph.bench.vector_search import run_vector_search_benchmark
    from truthgraph.wiring import build_embedder, build_store

    settings = settings or Settings()
    store = build_store(settings)
    try:
        query_texts = claims(args.claims)
        query_texts = (query_texts * (args.queries // len(query_texts) + 1))[: args.queries]
        result = run_vector_search_benchmark(
            store,
            build_embedder(settings),
            corpus_sentences(args.corpus),
            query_texts,
            args.corpus_size,
            index_types=[x.strip() for x in args.index.split(",")],
            ef_search_values=args.ef_search,
            probes_values=args.probes,
            hnsw_builds=[(m, efc) for m in args.hnsw_m for efc in args.ef_construction],
            vector_types=vector_types,
        )
    finally:
        store.close()
    _table(
        f"vector search, {result['corpus_size']} vectors ({result['dimension']}-dim), "
        f"{result['queries']} queries, top {result['top_k']}",
        [
            "index",
            "ef/probes",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "recall@10",
            "eps recall",
            "build s",
            "index MB",
        ],
        [
            (
                r["index"],
                r.get("ef_search", r.get("probes")),
                r["latency_ms"]["p50"],
                r["latency_ms"]["p95"],
                r["latency_ms"]["p99"],
                r["recall_at_k"],
                r["recall_at_k_eps"],
                r["index_build_s"],
                r["index_mb"],
            )
            for r in result["results"]
        ],
    )
    write_json(result, args.output or default_output(settings, "vector_search.json"))
    return result


def profile_ml_services_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="cProfile the ML services.")
    parser.add_argument("--service", choices=["embedding", "nli", "all"], default="all")
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="folder for the reports (default: TRUTHGRAPH_HOME/profiling)",
    )
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.profiling import profile_ml_services
    from truthgraph.wiring import build_embedder, build_nli, warm_models

    settings = settings or Settings()
    output_dir = args.output_dir or settings.home / "profiling"
    report = profile_ml_services(
        lambda: build_embedder(settings),
        lambda: build_nli(settings),
        lambda: warm_models(settings),
        args.service,
        args.num_samples,
        output_dir,
    )
    _table(
        f"profile ({args.num_samples} samples) on {machine_line(report['machine'])}",
        ["service", "stage", "seconds", "RSS after MB", "top self-time function"],
        [
            (name, stage, s["seconds"], s["rss_after_mb"], s["top_self_time_function"][:60])
            for name, svc in report["services"].items()
            for stage, s in svc["stages"].items()
        ],
    )
    for name, svc in report["services"].items():
        console.print(f"{name}: {svc['throughput_per_s']} {svc['unit']} ({svc['model']})")
    console.print(
        f"bottleneck: {report['bottleneck']['stage']} ({report['bottleneck']['seconds']} s)"
    )
    for advice in report["recommendations"]:
        console.print(f"- {advice}")
    console.print(f"[dim]wrote {output_dir}/profiling_report.json and .prof/.txt files[/]")
    return report


def optimize_batch_sizes_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Find the throughput-optimal batch size.")
    parser.add_argument("--service", choices=["embedding", "nli", "all"], default="all")
    parser.add_argument("--min-batch", type=int, default=4)
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--memory-limit", type=float, default=4000.0, help="MB of RSS")
    parser.add_argument("--num-samples", type=int, default=512)
    parser.add_argument("--no-save", action="store_true", help="do not save the result")
    parser.add_argument(
        "--output",
        type=Path,
        help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/batch_sizes.json)",
    )
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.batch_sizes import optimize_batch_sizes
    from truthgraph.wiring import build_embedder, build_nli

    settings = settings or Settings()
    report = optimize_batch_sizes(
        settings,
        lambda: build_embedder(settings),
        lambda: build_nli(settings),
        args.service,
        args.min_batch,
        args.max_batch,
        args.memory_limit,
        args.num_samples,
        save=not args.no_save,
    )
    for name, svc in report["services"].items():
        _table(
            f"{name} batch sizes ({report['device']})",
            ["batch", "per s", "RSS MB", "within limit"],
            [
                (r["batch_size"], r["throughput_per_s"], r["rss_mb"], r["within_memory_limit"])
                for r in svc["results"]
            ],
        )
        console.print(
            f"{name}: optimal batch size {svc['optimal']['batch_size']}"
            + (f", saved to {svc['saved_to']}" if svc["saved_to"] else "")
        )
    write_json(report, args.output or default_output(settings, "batch_sizes.json"))
    return report


def e2e_main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="End-to-end claim-to-verdict performance.")
    parser.add_argument("--num-claims", type=int, default=5)
    parser.add_argument("--evidence-count", type=int, default=10)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--warmup",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="verify one untimed claim first (default: on)",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/e2e.json)"
    )
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.e2e import Parts, run_e2e
    from truthgraph.wiring import Parts as Built

    settings = settings or Settings()
    built = Built(settings)

    def load_parts() -> Parts:
        return built.store, built.embedder, built.nli

    result = run_e2e(
        load_parts,
        # caches off: every claim is embedded and every pair scored, as a new claim would be
        lambda _: built.verifier(caches=False),
        settings.retrieval,
        args.num_claims,
        args.evidence_count,
        args.warmup,
        args.corpus,
        args.claims,
    )
    result["caches"] = False
    p50_s = result["latency_ms"]["p50"] / 1000
    verdict = "PASS" if result["passed_design_target"] else "FAIL"
    ours = {True: "PASS", False: "FAIL", None: f"not judged at top-{args.evidence_count}"}
    console.print(
        f"End-to-end performance: {p50_s:.3f}s p50 per claim, caches off ({verdict} "
        f"<{result['target_s']:.0f}s design target; ours <{result['our_target_p50_ms']:.0f} ms "
        f"at top-{result['our_target_top_k']}: {ours[result['passed_our_target']]})"
    )
    for stage, part in result["breakdown"].items():
        console.print(
            f"  {STAGE_NAMES[stage]}: {part['total_ms'] / max(1, result['num_claims']):.1f} ms"
            f" per claim ({part['share']:.1%})"
        )
    if result["models"].get("second"):
        console.print(
            f"  second opinion ({result['models']['second']}): "
            f"{result['second_opinion_share']:.0%} of the claims read again"
        )
    if args.verbose:
        console.print(
            f"  latency p50/p95/p99: {result['latency_ms']['p50']:.1f} / "
            f"{result['latency_ms']['p95']:.1f} / {result['latency_ms']['p99']:.1f} ms over "
            f"{result['num_claims']} claims, {result['evidence_count']} evidence each; "
            f"models loaded in {result['model_load_s']} s"
        )
    write_json(result, args.output or default_output(settings, "e2e.json"))
    return result


def measure_core_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """The core engine's headline figures in a fresh, temporary TRUTHGRAPH_HOME: cold start
    (median of fresh processes), ingestion rate, claim-to-verdict latency at top-10 with caches
    off, RSS. Prints them as JSON (and writes them with --output)."""
    import tempfile

    from truthgraph.bench.coldstart import cold_start
    from truthgraph.bench.core import measure_core, scifact_documents

    parser = argparse.ArgumentParser(description="The core engine's headline figures.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS)
    parser.add_argument("--repeat", type=int, default=3, help="cold starts to take the median of")
    parser.add_argument("--max-claims", type=int, default=100)
    parser.add_argument(
        "--scifact-dir",
        type=Path,
        default=None,
        help="measure ingestion on the first --scifact-docs SciFact abstracts instead",
    )
    parser.add_argument("--scifact-docs", type=int, default=1000)
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    _quiet()
    from truthgraph.bench.e2e import Parts
    from truthgraph.wiring import Parts as Built

    settings = settings or Settings()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = settings.model_copy(update={"home": Path(tmp)})
        starts = cold_start(fresh.home, args.repeat)
        built = Built(fresh)

        def load_parts() -> Parts:
            return built.store, built.embedder, built.nli

        extra = (
            scifact_documents(args.scifact_dir, args.scifact_docs)
            if args.scifact_dir is not None
            else None
        )
        result = measure_core(
            load_parts,
            lambda _: built.verifier(caches=False),
            fresh.retrieval,
            args.corpus,
            args.claims,
            args.max_claims,
            extra,
        )
    result["cold_start"] = starts
    sys.stdout.write(json.dumps(result, indent=2) + "\n")  # plain JSON, to redirect to a file
    if args.output is not None:
        write_json(result, args.output)
    return result


def coldstart_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """The first start on a fresh home, then warm cold starts on the configured one."""
    import tempfile

    from truthgraph.bench.coldstart import cold_start

    settings = settings or Settings()
    parser = argparse.ArgumentParser(
        description="Cold start: import TruthGraph, load and warm both models in a new process, "
        "on fresh empty homes (the first start after installing) and on the configured home."
    )
    parser.add_argument("--repeat", type=int, default=3, help="processes to take the median of")
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/coldstart.json)"
    )
    args = parser.parse_args(argv)
    _quiet()
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.home) as tmp:
        first = cold_start(Path(tmp), args.repeat, fresh=True)
    warm = cold_start(settings.home, args.repeat)
    result: dict[str, Any] = {"fresh_home": first, "warm": warm, "machine": describe_machine()}
    _table(
        "Cold start: import, load and warm both models in a new process (median)",
        ["home", "seconds", "runs", "embedding load ms", "NLI load ms", "RSS MB", "exported"],
        [
            (
                label,
                r["cold_start_s_median"],
                " ".join(str(s) for s in r["cold_start_runs_s"]),
                r["model_load_ms_median"]["embedding"],
                r["model_load_ms_median"]["nli"],
                r["rss_mb_median"],
                "yes" if r["exported"] else "no",
            )
            for label, r in (("fresh (nothing cached)", first), ("configured", warm))
        ],
    )
    console.print(f"machine: {machine_line(result['machine'])}")
    write_json(result, args.output or default_output(settings, "coldstart.json"))
    return result


def benchmark_sources_main(
    argv: Sequence[str] | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    from truthgraph.bench.sources import file_quality, run_sources
    from truthgraph.wiring import build_embedder, build_store

    settings = settings or Settings()
    parser = argparse.ArgumentParser(description="Web page and PDF ingestion rates and quality.")
    parser.add_argument("--pages", type=int, default=100, help="HTML articles to ingest")
    parser.add_argument("--pdf-pages", type=int, default=100, help="pages of the PDF")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: TRUTHGRAPH_HOME/benchmarks/sources.json)"
    )
    parser.add_argument(
        "--real", type=Path, nargs="*", default=[], help="real .html files to judge by eye too"
    )
    args = parser.parse_args(argv)
    _quiet()
    store, embedder = build_store(settings), build_embedder(settings)
    result = run_sources(settings, store, embedder, args.pages, args.pdf_pages, args.corpus)
    result["real_pages"] = [file_quality(path) for path in args.real]
    _table(
        "Ingestion of web pages and PDFs (sentences/s)",
        ["format", "files", "sentences", "read s", "read sent/s", "store s", "end-to-end sent/s"],
        [
            (
                r["format"],
                r["files"],
                r["sentences"],
                r["read_s"],
                r["read_sentences_per_s"],
                r["store_s"],
                r["end_to_end_sentences_per_s"],
            )
            for r in result["rates"]
        ],
    )
    _table(
        "Extraction quality of realistic pages",
        ["page", "main text kept", "sentences kept", "boilerplate in", "other text kept"],
        [
            (
                q["page"],
                f"{q['kept_share']:.0%}",
                f"{q['kept_sentences']}/{q['main_sentences']}",
                ", ".join(q["boilerplate_in"]) or "none",
                q["other_text"][:80] or "-",
            )
            for q in result["quality"]
        ],
    )
    if result["real_pages"]:
        _table(
            "Real pages: share of the visible text kept, and where the text starts",
            ["page", "title", "kept of visible", "starts"],
            [
                (
                    Path(r["page"]).name,
                    r["title"],
                    f"{r['kept_share_of_visible']:.0%}",
                    r["starts"][:60],
                )
                for r in result["real_pages"]
            ],
        )
    console.print(f"embedding model: {result['embedding_model']}")
    write_json(result, args.output or default_output(settings, "sources.json"))
    return result


def scale_main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> Path:
    """``truthgraph bench scale``: one process against Ray (1 and 2 workers) for ingestion and
    batch verification, Ray's overhead per item, and the sizing table; writes SCALE.md."""
    parser = argparse.ArgumentParser(
        prog="truthgraph bench scale",
        description="Ingestion and verification, one process vs Ray; the sizing on paper.",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/SCALE.md"))
    parser.add_argument("--copies", type=int, default=5, help="copies of the demo corpus")
    parser.add_argument("--claims", type=int, default=48, help="claims verified per run")
    parser.add_argument(
        "--hnsw-sizes", type=_ints, default=[2000, 8000], help="rows of the two HNSW builds"
    )
    args = parser.parse_args(argv)
    if len(args.hnsw_sizes) != 2 or args.copies < 1 or args.claims < 1:
        parser.error("--hnsw-sizes takes two sizes; --copies and --claims at least 1")
    _quiet()
    from truthgraph.distributed.runtime import import_ray
    from truthgraph.distributed.scale_bench import render_scale, run_scale_benchmark

    import_ray()
    settings = settings or Settings()
    figures = run_scale_benchmark(
        settings,
        copies=args.copies,
        claims_count=args.claims,
        hnsw_sizes=tuple(args.hnsw_sizes),
        progress=lambda stage: console.print(f"[dim]measuring {stage}[/]"),
    )
    command = "truthgraph bench scale " + " ".join(argv or [])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_scale(figures, command.strip()))
    for title, runs in (("Ingestion", figures["ingest"]), ("Verification", figures["verify"])):
        base = runs[0].rate
        _table(
            f"{title}: one process vs Ray",
            ["run", "items/s", "ratio", "first batch s"],
            [(r.name, f"{r.rate:.1f}", f"{r.rate / base:.2f}", f"{r.first_s:.1f}") for r in runs],
        )
    console.print(f"[dim]wrote {args.out}[/]")
    return Path(args.out)

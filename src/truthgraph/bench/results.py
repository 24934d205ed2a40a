"""Generate benchmarks/RESULTS.md: every figure from one run of the tools, side by side.

Each tool runs in its own process per backend (torch fp32, ONNX fp32, ONNX int8), so memory
and start-up figures do not mix; the JSON of every run is kept next to RESULTS.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truthgraph.bench.machine import describe_machine, machine_line

BACKENDS = ("torch", "onnx", "onnx-int8")
CLI = "from truthgraph.cli.main import main; main()"


def _run(tool: str, args: Sequence[str], out: Path, env: dict[str, str]) -> dict[str, Any]:
    """``truthgraph bench TOOL ARGS --output OUT`` in a new process; its JSON."""
    subprocess.run(
        [sys.executable, "-c", CLI, "bench", tool, *args, "--output", str(out)],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def collect(
    out_dir: Path,
    num_texts: int,
    num_pairs: int,
    vector_sizes: Sequence[int],
    e2e_claims: int,
    home: Path,
    vector_corpus: Path | None = None,
    vector_claims: Path | None = None,
    vector_only: bool = False,
    shared_buffers: str = "4GB",
    models_only: bool = False,
) -> dict[str, Any]:
    """Run every tool and return their results keyed by tool and backend.

    Vector search runs with the embedded server's ``shared_buffers`` at ``shared_buffers``
    (a 1M-vector HNSW index is about 2 GB).

    With ``vector_only`` the model figures are read back from the last full run's
    ``all.json`` (with its date) and only the vector-search sizes are measured again;
    ``models_only`` is the converse (each vector run keeps its own date and git revision).
    """
    from truthgraph.bench.coldstart import cold_start

    out_dir.mkdir(parents=True, exist_ok=True)
    base_env = {"TRUTHGRAPH_HOME": str(home)}
    data: dict[str, Any] = {"machine": describe_machine(), "backends": {}}
    if vector_only:
        previous = json.loads((out_dir / "all.json").read_text())
        data["machine"] = previous["machine"]
        data["backends"] = previous["backends"]
        data["models_measured_at"] = previous.get("models_measured_at", previous["measured_at"])
    for backend in () if vector_only else BACKENDS:
        env = {**base_env, "TRUTHGRAPH_MODEL__BACKEND": backend}
        tag = backend.replace("-", "_")
        data["backends"][backend] = {
            "embeddings": _run(
                "embeddings",
                ["--num-texts", str(num_texts), "--batch-sizes", "32,64,128"],
                out_dir / f"embeddings_{tag}.json",
                env,
            ),
            "nli": _run(
                "nli",
                ["--pairs", str(num_pairs), "--batch-size", "32"],
                out_dir / f"nli_{tag}.json",
                env,
            ),
            "e2e": _run(
                "e2e",
                ["--num-claims", str(e2e_claims), "--evidence-count", "10", "--warmup"],
                out_dir / f"e2e_{tag}.json",
                env,
            ),
            "cold_start": cold_start(home, 3, env),
        }
    vector_env = {**base_env, "TRUTHGRAPH_EMBEDDED_SHARED_BUFFERS": shared_buffers}
    if models_only:
        previous = json.loads((out_dir / "all.json").read_text())
        sizes: Sequence[int] = ()
        data["vector_search"] = previous["vector_search"]
        shared_buffers = previous.get("vector_shared_buffers", shared_buffers)
    else:
        sizes = vector_sizes
        data["vector_search"] = []
    data["vector_search"] += [
        _run(
            "vector-search",
            ["--corpus-size", str(size), "--queries", "200", *_vector_build_args(size)]
            + (["--corpus", str(vector_corpus)] if vector_corpus else [])
            + (["--claims", str(vector_claims)] if vector_claims else []),
            out_dir / f"vector_search_{size}.json",
            vector_env,
        )
        for size in sizes
    ]
    data["vector_shared_buffers"] = shared_buffers
    from truthgraph.bench.arithmetic import analyse_models
    from truthgraph.ml.onnx.session import available_cores

    data["arithmetic"] = analyse_models(data["backends"], num_texts, num_pairs, available_cores())
    data["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    data.setdefault("models_measured_at", data["measured_at"])
    (out_dir / "all.json").write_text(json.dumps(data, indent=2) + "\n")
    return data


VECTOR_TARGET = {"corpus_size": 1_000_000, "p50_ms": 5.0, "recall": 0.95}


def vector_target_row(runs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The fastest measured setting that meets our vector target at its corpus size, or None
    (also when that size was not measured)."""
    rows = [
        r
        for run in runs
        if run["corpus_size"] >= VECTOR_TARGET["corpus_size"]
        for r in run["results"]
        if r["recall_at_k"] >= VECTOR_TARGET["recall"]
        and r["latency_ms"]["p50"] < VECTOR_TARGET["p50_ms"]
    ]
    return min(rows, key=lambda r: r["latency_ms"]["p50"]) if rows else None


def _vector_target_lines(runs: Sequence[dict[str, Any]], shared_buffers: str | None) -> list[str]:
    size = VECTOR_TARGET["corpus_size"]
    lines = [""]
    if shared_buffers:
        lines.append(f"Vector runs: the embedded server's `shared_buffers` = {shared_buffers}.")
    if not any(run["corpus_size"] >= size for run in runs):
        return [*lines, f"Our target at {size:,} vectors was not measured in this run."]
    best = vector_target_row(runs)
    target = f"p50 < {VECTOR_TARGET['p50_ms']} ms at recall@10 >= {VECTOR_TARGET['recall']}"
    if best is None:
        return [*lines, f"Our target at {size:,} vectors ({target}): **not met** by any row."]
    knob = best.get("ef_search", best.get("probes"))
    return [
        *lines,
        f"Our target at {size:,} vectors ({target}): **met** by {best['index']} "
        f"{best['index_params']} at ef_search/probes {knob}: p50 {best['latency_ms']['p50']} ms, "
        f"recall@10 {best['recall_at_k']}.",
    ]


def _vector_build_args(size: int) -> list[str]:
    """The indexes and search breadths measured at each corpus size: both HNSW densities on
    small sets, float32 and float16 (halfvec) at 100k, the dense graph a million needs."""
    if size <= 20_000:
        return ["--ef-search", "40,100,200", "--hnsw-m", "16,32"]
    if size < 500_000:
        return ["--ef-search", "40,100,200", "--vector-type", "vector,halfvec"]
    return ["--ef-search", "100,200,250,300,400", "--hnsw-m", "32", "--ef-construction", "128"]


def _arithmetic_lines(arithmetic: dict[str, Any] | None) -> list[str]:
    """What the cores allow: FLOPs per item against measured matrix-multiply throughput."""
    if not arithmetic:
        return []
    peak = arithmetic["peak_gops"]
    rows, inner, cols = arithmetic["matmul_shape"]
    lines = [
        "",
        "## Arithmetic: what two cores allow",
        "",
        f"Measured matrix-multiply throughput of ONNX Runtime on this machine "
        f"({arithmetic['threads']} threads, one {rows}x{inner} by {inner}x{cols} product, "
        f"the encoders' largest and most efficient shape): **{peak['fp32']} GFLOP/s fp32, "
        f"{peak['int8']} GOP/s int8**. A forward pass costs 2 x (4h^2 + 2hi) FLOPs per token "
        "and layer plus the attention scores (`truthgraph.bench.arithmetic`), at the mean "
        "token count of the benchmark's real texts. The ceiling is items/s at 100% of the "
        "measured throughput on every operation, which no backend reaches.",
        "",
        "| model | tokens/item | GFLOP/item | target/s | target needs (share of int8 peak) "
        "| ceiling fp32 / int8, per s | measured: torch / ONNX / int8, per s "
        "(share of peak) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in arithmetic["models"].items():
        measured = " / ".join(
            f"{v['items_per_s']:,.0f} ({v['share_of_peak']:.0%})" for v in m["measured"].values()
        )
        ceiling = m["ceiling_items_per_s"]
        lines.append(
            f"| {name} ({m['model']}) | {m['tokens']} | {m['gflop_per_item']} | {m['target']:,} "
            f"| {m['target_share_of_int8_peak']:.0%} | {ceiling['fp32']:,.0f} / "
            f"{ceiling['int8']:,.0f} | {measured} |"
        )
    return lines


def _figure(backends: dict[str, Any], backend: str, path: Sequence[str]) -> float | None:
    """The number at ``path`` in one backend's results, or None where it is missing."""
    found: Any = backends.get(backend, {})
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return float(found) if isinstance(found, int | float) else None


def _versus_lines(data: dict[str, Any]) -> list[str]:
    """Against the stack a user would pick (issue 22): sentence-transformers' ``encode`` and a
    transformers cross-encoder (the ``torch`` backend runs exactly these) against the default
    ONNX int8 path, from the same run, with the arithmetic ceiling of each."""
    b = data["backends"]
    arithmetic = (data.get("arithmetic") or {}).get("models", {})
    rows = [
        (
            "embedding, texts/s",
            "sentence-transformers `encode`",
            "embedding",
            ("embeddings", "best", "texts_per_s"),
        ),
        ("verifier, pairs/s", "transformers cross-encoder", "verifier", ("nli", "pairs_per_s")),
    ]

    lines = [
        "",
        "## Against the stack users would pick",
        "",
        "Same weights, same real texts and pairs, each side in its own fresh process, one run. "
        "The ceiling is the arithmetic limit at the measured int8 matrix-multiply peak "
        "(below); the share is how much of it the int8 path reaches.",
        "",
        "| figure | what users would pick (torch fp32) | TruthGraph (ONNX int8) | ratio "
        "| goal | int8 ceiling | share of ceiling |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, stack, model, path in rows:
        theirs, ours = _figure(b, "torch", path), _figure(b, "onnx-int8", path)
        ceiling = arithmetic.get(model, {}).get("ceiling_items_per_s", {}).get("int8")
        ratio = f"{ours / theirs:.2f}x" if theirs and ours else "n/a"
        share = f"{ours / ceiling:.0%}" if ours and ceiling else "n/a"
        lines.append(
            f"| {name} | {stack}: {theirs or 'n/a'} | {ours or 'n/a'} | {ratio} | >= 3x "
            f"| {f'{ceiling:,.0f}' if ceiling else 'n/a'} | {share} |"
        )
    flags = data["machine"].get("cpu_flags")
    lines += [
        "",
        f"CPU int8 instruction sets: {', '.join(flags) if flags else 'not recorded'}.",
    ]
    return lines


def _quality_lines() -> list[str]:
    """The ONNX quality check's records (``models/onnx-quality.json``) as a table."""
    from truthgraph.ml.backend import SHIPPED_QUALITY_TABLE

    if not SHIPPED_QUALITY_TABLE.is_file():
        return []
    records = json.loads(SHIPPED_QUALITY_TABLE.read_text())["records"]
    lines = [
        "",
        "## Quality of the ONNX backends against torch fp32",
        "",
        "From `src/truthgraph/models/onnx-quality.json`, written by "
        "`python scripts/check_onnx_quality.py --data-dir ../shared/data --write-table` "
        "(bar: embedding mean cosine >= 0.99, verifier accuracy within 0.5 point).",
        "",
        "| model | data (n) | backend | per s | mean cosine | accuracy | same label as torch "
        "| passes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        for name, figures in record["backends"].items():

            def fmt(value: Any, pattern: str) -> str:
                return pattern.format(value) if isinstance(value, int | float) else ""

            lines.append(
                f"| {record['model']} | {record['data']} ({record['n']}) | {name}"
                + (" (chosen)" if name == record["chosen"] else "")
                + f" | {fmt(figures['per_second'], '{:,.0f}')}"
                + f" | {fmt(figures['mean_cosine'], '{:.4f}')}"
                + f" | {fmt(figures['accuracy'], '{:.2%}')}"
                + f" | {fmt(figures['agreement'], '{:.1%}')} | {figures['passes']} |"
            )
    return lines


def render(data: dict[str, Any]) -> str:
    """RESULTS.md from collected results."""
    b = data["backends"]

    def cell(backend: str, path: Sequence[str], fmt: str = "{:,.1f}") -> str:
        value = _figure(b, backend, path)
        return "n/a" if value is None else fmt.format(value)

    rows = [
        (
            "Embedding, texts/s (best batch)",
            "> 500",
            ">= 1,000",
            ("embeddings", "best", "texts_per_s"),
        ),
        ("Verifier (NLI), pairs/s", "> 2", ">= 200", ("nli", "pairs_per_s")),
        (
            "Claim-to-verdict p50, ms (top-10, through the DB)",
            "< 60,000",
            "< 150",
            ("e2e", "latency_ms", "p50"),
        ),
        ("Claim-to-verdict p95, ms", "", "", ("e2e", "latency_ms", "p95")),
        (
            "Cold start (import + load + warm), s",
            "< 5 (load)",
            "< 2",
            ("cold_start", "cold_start_s_median"),
        ),
        ("RSS with both models, MB", "< 4,096", "< 1,024", ("cold_start", "rss_mb_median")),
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine_line(data['machine'])} ({data['machine']['platform']}); "
        f"torch {data['machine']['torch']}, onnxruntime {data['machine']['onnxruntime']}; "
        f"git {data['machine']['truthgraph_git_sha']}; model figures measured "
        f"{data.get('models_measured_at', data['measured_at'])}.",
        "",
        "Generated by `python scripts/make_results.py` (do not edit by hand); the JSON of every",
        "run is in `benchmarks/results/`. Medians of repeated runs; this machine is shared, so",
        "compare ratios within this file rather than with other runs.",
        "",
        "| figure | guide target (8 cores) | our target (2 cores) "
        "| torch fp32 | ONNX fp32 | ONNX int8 |",
        "|---|---|---|---|---|---|",
    ]
    for name, guide, ours, path in rows:
        lines.append(
            f"| {name} | {guide} | {ours} | "
            + " | ".join(cell(backend, path) for backend in BACKENDS)
            + " |"
        )
    emb = b["torch"]["embeddings"]
    nli = b["torch"]["nli"]
    lines += [
        "",
        f"Texts: {emb['num_texts']} real sentences of the demo corpus "
        f"({emb['mean_words_per_text']} words on average). Pairs: {nli['num_pairs']} "
        f"(evidence sentence, claim) pairs ({nli['mean_words_premise']} + "
        f"{nli['mean_words_hypothesis']} words).",
        "",
        "## Vector search (pgvector, embedded PostgreSQL 18)",
        "",
        "| vectors | index | ef_search / probes | p50 ms | p95 ms | p99 ms | recall@10 "
        "| recall@10, eps 0.01 | load s | build s | measured (git) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in data["vector_search"]:
        sha = run.get("machine", {}).get("truthgraph_git_sha", "?")
        when = f"{run.get('measured_at', 'n/a')[:16]} ({sha})"
        for r in run["results"]:
            knob = r.get("ef_search", r.get("probes"))
            lines.append(
                f"| {run['corpus_size']:,} | {r['index']} {r['index_params']} | {knob} | "
                f"{r['latency_ms']['p50']} | {r['latency_ms']['p95']} | {r['latency_ms']['p99']} | "
                f"{r['recall_at_k']} | {r.get('recall_at_k_eps', 'n/a')} | "
                f"{r.get('load_s', 'n/a')} | {r['index_build_s']} | "
                f"{when} |"
            )
    lines += _vector_target_lines(data["vector_search"], data.get("vector_shared_buffers"))
    lines += _versus_lines(data)
    lines += _arithmetic_lines(data.get("arithmetic"))
    lines += _quality_lines()
    lines += [
        "",
        "Vectors are all-MiniLM-L6-v2 embeddings of real sentences; past the corpus's distinct "
        "sentences, each further vector is a real one with Gaussian noise, re-normalised "
        "(counts in the JSON). Queries are real claims of the corpus's own domain. Latency "
        "is `store.search` from Python (SQL round trip included).",
        "",
    ]
    return "\n".join(lines)

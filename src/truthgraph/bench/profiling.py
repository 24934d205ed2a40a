"""profile_ml_services: cProfile each model service's load, single call, batch and warm-up."""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import psutil

from truthgraph.bench.machine import describe_machine
from truthgraph.bench.texts import sample_pairs, sample_texts
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel

T = TypeVar("T")
Service = Literal["embedding", "nli", "all"]
TARGETS = {"embedding_texts_per_s": 500.0, "nli_pairs_per_s": 2.0, "model_load_s": 5.0}


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss / 2**20)


def _profiled(name: str, out_dir: Path, func: Callable[[], T]) -> tuple[T, dict[str, Any]]:
    """Run ``func`` under cProfile; write NAME.prof and NAME.txt; return its result and stats."""
    profiler = cProfile.Profile()
    rss_before = _rss_mb()
    started = time.perf_counter()
    profiler.enable()
    result = func()
    profiler.disable()
    seconds = time.perf_counter() - started
    profiler.dump_stats(out_dir / f"{name}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(25)
    (out_dir / f"{name}.txt").write_text(text.getvalue())
    top = max(
        (
            (value[2], f"{func_name[2]} ({Path(func_name[0]).name}:{func_name[1]})")
            for func_name, value in stats.stats.items()  # type: ignore[attr-defined]
        ),
        default=(0.0, ""),
    )
    return result, {
        "seconds": round(seconds, 4),
        "rss_before_mb": round(rss_before, 1),
        "rss_after_mb": round(_rss_mb(), 1),
        "top_self_time_function": top[1],
        "top_self_time_s": round(top[0], 4),
    }


class _Named(Protocol):
    @property
    def name(self) -> str: ...


M = TypeVar("M", bound=_Named)
S = TypeVar("S")


def _profiled_model(
    names: tuple[str, str, str],
    out_dir: Path,
    samples: list[S],
    load: Callable[[], M],
    run: Callable[[M, list[S]], object],
) -> dict[str, Any]:
    """Profile a model's load, one sample, then all ``samples`` in one call; ``names`` are the
    model's stage prefix, the single-sample stage and the throughput's unit."""
    prefix, single_stage, unit = names
    model, load_stats = _profiled(f"{prefix}_model_load", out_dir, load)
    _, single = _profiled(single_stage, out_dir, lambda: run(model, samples[:1]))
    _, batch = _profiled(f"{prefix}_batch", out_dir, lambda: run(model, samples))
    return {
        "model": model.name,
        "stages": {"model_load": load_stats, "single": single, "batch": batch},
        "throughput_per_s": round(len(samples) / batch["seconds"], 1),
        "unit": unit,
    }


def _recommendations(report: dict[str, Any]) -> list[str]:
    advice = []
    embedding = report["services"].get("embedding")
    nli = report["services"].get("nli")
    if embedding and embedding["throughput_per_s"] < 1000:
        advice.append(
            "embedding below 1,000 texts/s: try the ONNX int8 backend "
            "(TRUTHGRAPH_MODEL__BACKEND=onnx-int8) and truthgraph bench batch-sizes"
        )
    if nli and nli["throughput_per_s"] < 200:
        advice.append(
            "NLI below 200 pairs/s: try the ONNX int8 backend and a larger batch size; "
            "shorter max length (TRUTHGRAPH_MODEL__NLI_MAX_LENGTH) if evidence is short"
        )
    for name, service in report["services"].items():
        if service["stages"]["model_load"]["seconds"] > TARGETS["model_load_s"]:
            advice.append(f"{name} model load above 5 s: warm models at start-up (ModelCache)")
    return advice or ["all measured stages meet the design document's targets"]


def profile_ml_services(
    load_embedder: Callable[[], LoadedEmbedder],
    load_nli: Callable[[], LoadedNLIModel],
    warm_up: Callable[[], object],
    service: Service,
    num_samples: int,
    output_dir: Path,
) -> dict[str, Any]:
    """Profile the chosen services; writes .prof/.txt files and profiling_report.json.

    ``load_embedder`` and ``load_nli`` build a model each (their time is the load stage);
    ``warm_up`` loads and warms both, as the service does at start-up (profiled under
    ``all``)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": describe_machine(), "num_samples": num_samples}
    services: dict[str, Any] = {}
    if service in ("embedding", "all"):
        services["embedding"] = _profiled_model(
            ("embedding", "embedding_single_text", "texts/s"),
            output_dir,
            sample_texts(num_samples),
            load_embedder,
            lambda embedder, texts: embedder.embed(texts),
        )
    if service in ("nli", "all"):
        services["nli"] = _profiled_model(
            ("nli", "nli_single_pair", "pairs/s"),
            output_dir,
            sample_pairs(num_samples),
            load_nli,
            lambda nli, pairs: nli.predict(pairs),
        )
    if service == "all":
        _, warmup = _profiled("model_cache_warmup", output_dir, warm_up)
        report["model_cache_warmup"] = warmup
    report["services"] = services
    stages = [
        (stage["seconds"], f"{name}.{stage_name}")
        for name, svc in services.items()
        for stage_name, stage in svc["stages"].items()
    ]
    slowest = max(stages, default=(0.0, "none"))
    report["bottleneck"] = {"stage": slowest[1], "seconds": slowest[0]}
    report["recommendations"] = _recommendations(report)
    report["targets"] = TARGETS
    (output_dir / "profiling_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report

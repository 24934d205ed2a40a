"""ONNX Runtime sessions: device, providers and thread settings for this machine. Torch-free."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import onnxruntime as ort
import psutil

from truthgraph.data.files import atomic_write
from truthgraph.errors import ConfigError, ModelLoadError

CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"
_CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def _cgroup_cpu_limit() -> float | None:
    """The CPU quota of this process's cgroup (v2) in cores, or None when unlimited."""
    try:
        quota, period = _CGROUP_CPU_MAX.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def available_cores() -> int:
    """Physical cores this process may run on: its CPU affinity, less SMT siblings, within the
    cgroup quota. One inference thread per physical core is what ONNX Runtime runs best with."""
    try:
        logical = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        logical = os.cpu_count() or 1
    total_logical = psutil.cpu_count(logical=True) or logical
    physical = psutil.cpu_count(logical=False) or total_logical
    threads_per_core = max(1, round(total_logical / physical))
    cores = max(1, logical // threads_per_core)
    quota = _cgroup_cpu_limit()
    if quota is not None:
        cores = min(cores, max(1, int(quota)))
    return cores


def onnx_device(requested: str = "auto") -> str:
    """``cuda`` where ONNX Runtime has a CUDA provider and cuda (or auto) is asked for; else cpu."""
    has_cuda = CUDA_PROVIDER in ort.get_available_providers()
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    if requested == "cpu" or (requested == "cuda" and has_cuda):
        return requested
    raise ConfigError(
        f"device {requested!r} is not available to the ONNX backend "
        "(cuda needs the onnxruntime-gpu package); set TRUTHGRAPH_MODEL__DEVICE=cpu "
        "or TRUTHGRAPH_MODEL__BACKEND=torch"
    )


def session_options(threads: int | None = None) -> ort.SessionOptions:
    """Sequential execution, one intra-op thread per available physical core, all graph
    optimisations, and no busy-waiting between runs (the cores are shared with the rest of the
    process: tokenisation, the other model, the database and the event loop)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or available_cores()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def optimized_path(path: Path, optimized_dir: Path) -> Path:
    """Where this CPU's optimised copy of the graph at ``path`` is kept: named by the graph
    (its export folder, file and size), the ONNX Runtime version and the CPU (model name and
    flags), so a copy made on one CPU or runtime is never loaded on another."""
    from truthgraph.ml.cpu import cpu_signature

    key = f"{path.parent.name}/{path.name}/{path.stat().st_size}/{ort.__version__}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return optimized_dir / f"{path.parent.name}-{path.stem}-{digest}-{cpu_signature()}.onnx"


def has_external_data(path: Path) -> bool:
    """Whether the graph at ``path`` keeps weights in files beside it (``shipped.split_weights``):
    its optimised copy would name them relative to the copy's folder, so it is not kept."""
    return any(path.parent.glob(f"{path.name}.data-*"))


def create_session(
    path: Path, device: str = "cpu", threads: int | None = None, optimized_dir: Path | None = None
) -> Any:
    """An ``onnxruntime.InferenceSession`` for the graph at ``path`` on ``device``.

    With ``optimized_dir`` (CPU only) the graph optimised for this CPU is kept there after the
    first load and read back, with no optimisation to redo, on later ones: about 100 ms less
    per model at start-up on a 2-core AVX2 machine (docs/performance.md). A copy that does not
    load is made again. A graph with external weights is always optimised at load.
    """
    providers = [CUDA_PROVIDER, CPU_PROVIDER] if device == "cuda" else [CPU_PROVIDER]
    try:
        if optimized_dir is not None and device == "cpu" and not has_external_data(path):
            return _with_optimized_copy(path, providers, threads, optimized_dir)
        return ort.InferenceSession(
            str(path), sess_options=session_options(threads), providers=providers
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors; wrap at the boundary
        raise ModelLoadError(f"cannot load ONNX model {path}: {exc}") from exc


def _with_optimized_copy(
    path: Path, providers: list[str], threads: int | None, optimized_dir: Path
) -> Any:
    target = optimized_path(path, optimized_dir)
    if target.is_file():
        options = session_options(threads)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return ort.InferenceSession(str(target), sess_options=options, providers=providers)
        except Exception:  # a damaged copy: make it again below
            target.unlink(missing_ok=True)
    options = session_options(threads)
    try:
        optimized_dir.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: run without the copy
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    sessions: list[ort.InferenceSession] = []

    def optimize(temporary: Path) -> None:  # the session writes its optimized copy there
        options.optimized_model_filepath = str(temporary)
        sessions.append(ort.InferenceSession(str(path), sess_options=options, providers=providers))

    try:
        atomic_write(target, optimize)  # another process never reads half a copy
    except Exception:  # the copy could not be written (a read-only folder): run without it
        if sessions:
            return sessions[0]
        fresh = session_options(threads)
        return ort.InferenceSession(str(path), sess_options=fresh, providers=providers)
    return sessions[0]

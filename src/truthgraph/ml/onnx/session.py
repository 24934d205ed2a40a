"""ONNX Runtime sessions: device, providers and thread settings for this machine. Torch-free."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import onnxruntime as ort
import psutil

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


def create_session(path: Path, device: str = "cpu", threads: int | None = None) -> Any:
    """An ``onnxruntime.InferenceSession`` for the graph at ``path`` on ``device``."""
    providers = [CUDA_PROVIDER, CPU_PROVIDER] if device == "cuda" else [CPU_PROVIDER]
    try:
        return ort.InferenceSession(
            str(path), sess_options=session_options(threads), providers=providers
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors; wrap at the boundary
        raise ModelLoadError(f"cannot load ONNX model {path}: {exc}") from exc

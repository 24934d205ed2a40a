"""Describe the machine a benchmark ran on."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from truthgraph.measures.revision import git_sha
from truthgraph.ml.cpu import cpu_flags


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe_machine() -> dict[str, Any]:
    """CPU, cores, memory, OS and library versions."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count() or 1
    return {
        "cpu": _cpu_model(),
        "cpu_flags": cpu_flags(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "onnxruntime": _version("onnxruntime"),
        "truthgraph_git_sha": git_sha(),
    }


def machine_line(machine: dict[str, Any]) -> str:
    """One line naming the machine, for tables and reports."""
    flags = machine.get("cpu_flags")
    isa = f" ({', '.join(flags) if flags else 'no AVX2'})" if flags is not None else ""
    return (
        f"{machine['cpu']}{isa}, {machine['usable_cpus']} usable CPUs, "
        f"{machine['memory_gb']} GB, Python {machine['python']}"
    )

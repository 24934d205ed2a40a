"""Which int8 instruction sets this CPU has (VNNI doubles int8 speed; AMX more). Torch-free."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

INT8_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """Which of ``INT8_FLAGS`` this CPU has (empty where /proc/cpuinfo cannot be read)."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("flags"):
                present = set(line.split(":", 1)[1].split())
                return [flag for flag in INT8_FLAGS if flag in present]
    except OSError:
        pass
    return []


def cpu_signature(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """A short digest of this CPU's model name and every flag it reports (the machine type
    where /proc/cpuinfo cannot be read): what a graph optimised for this CPU is filed under,
    so that it is never used on another kind."""
    try:
        lines = cpuinfo.read_text().splitlines()
        wanted = [line for line in lines if line.startswith(("model name", "flags"))][:2]
        text = "\n".join(wanted) or platform.machine()
    except OSError:
        text = platform.machine()
    return hashlib.sha256(text.encode()).hexdigest()[:12]

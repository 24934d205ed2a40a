"""The int8 instruction sets named with every benchmark figure."""

from __future__ import annotations

from pathlib import Path

from truthgraph.bench.machine import machine_line
from truthgraph.ml.cpu import cpu_flags


def test_cpu_flags_names_only_the_int8_instruction_sets_present(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: Some CPU\nflags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni\n")

    assert cpu_flags(cpuinfo) == ["avx2", "avx512f", "avx512_vnni"]
    assert cpu_flags(tmp_path / "missing") == []


def test_the_machine_line_names_the_flags() -> None:
    machine = {"cpu": "AMD EPYC", "usable_cpus": 2, "memory_gb": 23.5, "python": "3.11.7"}

    assert machine_line({**machine, "cpu_flags": ["avx2"]}).startswith("AMD EPYC (avx2), 2")
    assert machine_line({**machine, "cpu_flags": []}).startswith("AMD EPYC (no AVX2), 2")
    assert machine_line(machine).startswith("AMD EPYC, 2")

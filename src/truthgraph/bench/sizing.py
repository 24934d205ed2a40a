"""Sizing on paper: what 10M, 100M and 1B evidence sentences would need, worked from figures
measured on this machine (``distributed.scale_bench`` measures them). Pure arithmetic."""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400
CLAIMS_PER_DAY = 1_000_000
ROWS_PER_PARTITION = 10_000_000  # one HNSW index per partition, built in memory
SIZES = (10_000_000, 100_000_000, 1_000_000_000)


@dataclass(frozen=True, slots=True)
class Measured:
    """The figures the sizing rests on, all measured here."""

    row_bytes_vector: float  # one evidence row as stored (text, offsets, float32 vector)
    vector_bytes: float  # the float32 vector column alone
    halfvec_bytes: float  # the same vector as halfvec (float16)
    index_bytes_vector: float  # HNSW index bytes per row, vector
    index_bytes_halfvec: float  # HNSW index bytes per row, halfvec
    build_rows: int  # the larger measured HNSW build
    build_s_vector: float
    build_s_halfvec: float
    build_exponent: float  # t ∝ rows^exponent, fitted between the two measured builds
    embed_per_core: float  # sentences embedded per second per core
    verify_per_core: float  # claims verified per second per core (whole pipeline)
    cores: int  # the cores the measured builds used


@dataclass(frozen=True, slots=True)
class SizingRow:
    sentences: int
    vector_gb: float
    halfvec_gb: float
    table_gb: float
    index_gb_vector: float
    index_gb_halfvec: float
    build_hours_one_index: float  # one index of all rows on ``cores`` cores
    partitions: int
    build_hours_per_partition: float
    embed_cores_one_hour: int
    verify_cores_per_million_claims_a_day: int


def size(measured: Measured, sentences: int) -> SizingRow:
    """The sizing of ``sentences`` evidence sentences."""
    gb = 1e9
    partitions = max(1, math.ceil(sentences / ROWS_PER_PARTITION))
    per_partition = sentences / partitions
    return SizingRow(
        sentences=sentences,
        vector_gb=sentences * measured.vector_bytes / gb,
        halfvec_gb=sentences * measured.halfvec_bytes / gb,
        table_gb=sentences * measured.row_bytes_vector / gb,
        index_gb_vector=sentences * measured.index_bytes_vector / gb,
        index_gb_halfvec=sentences * measured.index_bytes_halfvec / gb,
        build_hours_one_index=_build_s(measured, sentences) / 3600,
        partitions=partitions,
        build_hours_per_partition=_build_s(measured, per_partition) / 3600,
        embed_cores_one_hour=math.ceil(sentences / (measured.embed_per_core * 3600)),
        verify_cores_per_million_claims_a_day=math.ceil(
            CLAIMS_PER_DAY / SECONDS_PER_DAY / measured.verify_per_core
        ),
    )


def _build_s(measured: Measured, rows: float) -> float:
    """HNSW build time (float32) of ``rows``, extrapolated by the fitted power law."""
    growth: float = (rows / measured.build_rows) ** measured.build_exponent
    return measured.build_s_vector * growth


def fit_exponent(rows: tuple[int, int], seconds: tuple[float, float]) -> float:
    """The exponent b of t = a·rows^b through two measured builds (at least 1: an HNSW build
    is never cheaper than linear)."""
    (n1, n2), (t1, t2) = rows, seconds
    if n1 <= 0 or n2 <= n1 or t1 <= 0 or t2 <= 0:
        raise ValueError("two builds of growing sizes with positive times are needed")
    return max(1.0, math.log(t2 / t1) / math.log(n2 / n1))


def sizing_table(measured: Measured) -> list[str]:
    """The sizing table as Markdown lines."""
    lines = [
        "| evidence sentences | float32 vectors | halfvec vectors | evidence table (float32) "
        "| HNSW index float32 / halfvec | HNSW build, one index | partitions of 10M "
        "| build per partition | cores to embed in 1 h | cores for 1M claims/day |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sentences in SIZES:
        row = size(measured, sentences)
        lines.append(
            f"| {_count(sentences)} | {_gb(row.vector_gb)} | {_gb(row.halfvec_gb)} "
            f"| {_gb(row.table_gb)} | {_gb(row.index_gb_vector)} / {_gb(row.index_gb_halfvec)} "
            f"| {_hours(row.build_hours_one_index)} | {row.partitions} "
            f"| {_hours(row.build_hours_per_partition)} | {row.embed_cores_one_hour:,} "
            f"| {row.verify_cores_per_million_claims_a_day:,} |"
        )
    return lines


def _count(n: int) -> str:
    return f"{n // 1_000_000_000}B" if n >= 1_000_000_000 else f"{n // 1_000_000}M"


def _gb(value: float) -> str:
    return f"{value / 1000:.2f} TB" if value >= 1000 else f"{value:.1f} GB"


def _hours(value: float) -> str:
    return f"{value / 24:.1f} days" if value >= 48 else f"{value:.1f} h"

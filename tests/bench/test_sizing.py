"""The sizing on paper: plain arithmetic over measured figures."""

from __future__ import annotations

import math

import pytest

from truthgraph.bench.sizing import Measured, fit_exponent, size, sizing_table


def measured(**overrides: float) -> Measured:
    figures: dict[str, float] = {
        "row_bytes_vector": 1700.0,
        "vector_bytes": 1540.0,
        "halfvec_bytes": 772.0,
        "index_bytes_vector": 3000.0,
        "index_bytes_halfvec": 1500.0,
        "build_rows": 10_000,
        "build_s_vector": 10.0,
        "build_s_halfvec": 8.0,
        "build_exponent": 1.0,
        "embed_per_core": 100.0,
        "verify_per_core": 2.0,
        "cores": 2,
    }
    figures.update(overrides)
    return Measured(**figures)  # type: ignore[arg-type]


def test_storage_grows_with_the_rows_and_halfvec_takes_half() -> None:
    row = size(measured(), 100_000_000)
    assert row.vector_gb == pytest.approx(154.0)
    assert row.halfvec_gb == pytest.approx(77.2)
    assert row.index_gb_vector == pytest.approx(300.0)


def test_a_linear_build_scales_by_the_ratio_of_rows() -> None:
    row = size(measured(), 10_000_000)
    assert row.build_hours_one_index == pytest.approx(10.0 * 1000 / 3600)
    assert row.partitions == 1


def test_cores_are_rounded_up_to_do_the_work_in_time() -> None:
    row = size(measured(), 10_000_000)
    assert row.embed_cores_one_hour == math.ceil(10_000_000 / (100.0 * 3600))
    assert row.verify_cores_per_million_claims_a_day == math.ceil(1_000_000 / 86_400 / 2.0)


def test_a_billion_sentences_are_split_into_partitions_of_ten_million() -> None:
    row = size(measured(), 1_000_000_000)
    assert row.partitions == 100
    assert row.build_hours_per_partition == pytest.approx(
        size(measured(), 10**7).build_hours_one_index
    )


def test_the_build_exponent_is_fitted_through_two_builds_and_never_below_linear() -> None:
    assert fit_exponent((1000, 4000), (1.0, 8.0)) == pytest.approx(1.5)
    assert fit_exponent((1000, 4000), (1.0, 2.0)) == 1.0
    with pytest.raises(ValueError):
        fit_exponent((4000, 1000), (1.0, 2.0))


def test_the_table_has_a_row_per_size() -> None:
    lines = sizing_table(measured())
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["10M", "100M", "1B"]

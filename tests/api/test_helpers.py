"""Small pure pieces of the service: fusion, error mapping, upload names, load-test maths."""

from __future__ import annotations

import pytest

from truthgraph.api.error_responses import Overloaded, RateLimited, status_and_code
from truthgraph.api.uploads import safe_filename
from truthgraph.bench.loadtest import LevelResult, require_loopback, summarise
from truthgraph.domain import EvidenceHit
from truthgraph.errors import (
    ConfigError,
    DatasetError,
    EvidenceStoreError,
    InvalidInputError,
    NotFoundError,
    TruthGraphError,
)
from truthgraph.measures.stats import percentile
from truthgraph.verify.fusion import reciprocal_rank_fusion


def hit(evidence_id: int, score: float) -> EvidenceHit:
    return EvidenceHit(evidence_id, 1, f"sentence {evidence_id}", 0, 10, score)


def test_fusion_ranks_what_both_searches_found_first() -> None:
    fused = reciprocal_rank_fusion([hit(1, 0.9), hit(2, 0.8)], [hit(2, 0.5), hit(3, 0.4)], 3)
    assert [r.hit.evidence_id for r in fused] == [2, 1, 3]
    assert fused[0].vector_similarity == 0.8 and fused[0].keyword_rank == 0.5
    assert fused[1].keyword_rank is None and fused[2].vector_similarity is None
    assert len(reciprocal_rank_fusion([hit(1, 1)], [hit(2, 1)], 1)) == 1


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidInputError("x"), 422, "invalid_input"),
        (DatasetError("x"), 422, "invalid_data"),
        (NotFoundError("x"), 404, "not_found"),
        (EvidenceStoreError("x"), 503, "unavailable"),
        (Overloaded("x", 1), 503, "overloaded"),
        (ConfigError("x"), 500, "config_error"),
        (TruthGraphError("x"), 500, "internal_error"),
        (RateLimited("x"), 429, "rate_limited"),
    ],
)
def test_each_error_class_has_one_status_and_code(
    error: TruthGraphError, status: int, code: str
) -> None:
    assert status_and_code(error) == (status, code)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("notes.md", "notes.md"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("my report (v2).csv", "my_report_v2_.csv"),
        (None, "upload"),
        ("...", "upload"),
    ],
)
def test_upload_names_are_made_safe(name: str | None, safe: str) -> None:
    assert safe_filename(name) == safe


def test_percentiles_interpolate() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([], 50) == 0.0


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:80"])
def test_the_load_test_targets_loopback(url: str) -> None:
    require_loopback(url)


@pytest.mark.parametrize("url", ["http://10.0.0.1", "http://example.com", "http://192.168.1.2"])
def test_the_load_test_refuses_anything_else(url: str) -> None:
    with pytest.raises(InvalidInputError):
        require_loopback(url)


def level(concurrency: int, throughput: float, ms_per_pair: float) -> LevelResult:
    return LevelResult(
        concurrency, 10, 10, {}, 1.0, throughput, 1, 1, 1, 1, nli_ms_per_pair=ms_per_pair
    )


def test_gains_are_relative_to_concurrency_one() -> None:
    summary = summarise([level(1, 5.0, 4.0), level(10, 12.5, 2.0)])
    assert summary.single_request_throughput_per_s == 5.0
    assert summary.throughput_gain == {1: 1.0, 10: 2.5}
    assert summary.model_batching_gain == {1: 1.0, 10: 2.0}

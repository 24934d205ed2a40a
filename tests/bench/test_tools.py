"""Each performance-guide tool runs in smoke size and writes what the guide says it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgraph.bench.core import measure_core
from truthgraph.bench.e2e import Parts
from truthgraph.bench.texts import DEFAULT_CORPUS
from truthgraph.cli.bench import (
    batch_sizes_tool,
    e2e_tool,
    embeddings_tool,
    nli_tool,
    profile_tool,
    vector_search_tool,
)
from truthgraph.cli.main import app
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.ml.batch_sizes import load_batch_size
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings
from truthgraph.verify.verifier import Verifier
from truthgraph.wiring import build_verifier

pytestmark = [pytest.mark.integration, pytest.mark.models]


@pytest.fixture(autouse=True)
def _home(monkeypatch: pytest.MonkeyPatch, home: Path, database_url: str) -> None:
    monkeypatch.setenv("TRUTHGRAPH_HOME", str(home))
    monkeypatch.delenv("TRUTHGRAPH_DATABASE_URL", raising=False)


def test_benchmark_embeddings_reports_each_batch_size(tmp_path: Path) -> None:
    out = tmp_path / "emb.json"
    embeddings_tool.main(
        ["--num-texts", "40", "--batch-sizes", "8,16", "--repeats", "1", "--output", str(out)]
    )
    data = json.loads(out.read_text())
    assert [r["batch_size"] for r in data["results"]] == [8, 16]
    assert all(r["texts_per_s"] > 0 for r in data["results"])
    assert data["machine"]["usable_cpus"] >= 1
    assert data["mean_words_per_text"] > 5  # real sentences, not "Test {i}"


def test_benchmark_nli_reports_pairs_per_second(tmp_path: Path) -> None:
    out = tmp_path / "nli.json"
    nli_tool.main(["--pairs", "16", "--batch-size", "8", "--repeats", "1", "--output", str(out)])
    data = json.loads(out.read_text())
    assert data["pairs_per_s"] > 0 and data["single_pair_ms_median"] > 0


def test_benchmark_vector_search_measures_recall_for_both_indexes(tmp_path: Path) -> None:
    out = tmp_path / "vs.json"
    vector_search_tool.main(
        [
            "--corpus-size",
            "300",
            "--queries",
            "10",
            "--ef-search",
            "40",
            "--probes",
            "10",
            "--output",
            str(out),
        ]
    )
    data = json.loads(out.read_text())
    assert {r["index"] for r in data["results"]} == {"hnsw", "ivfflat"}
    for row in data["results"]:
        assert 0.0 <= row["recall_at_k"] <= 1.0
        assert row["latency_ms"]["p50"] <= row["latency_ms"]["p99"]
    assert data["noisy_copies"] == 300 - data["real_sentence_vectors"]


def test_benchmark_vector_search_builds_float16_indexes_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "vs.json"
    args = ["--corpus-size", "200", "--queries", "5", "--index", "hnsw", "--output", str(out)]
    vector_search_tool.main([*args, "--ef-search", "40", "--vector-type", "vector,halfvec"])
    data = json.loads(out.read_text())
    kinds = [r["index_params"].get("vector_type", "vector") for r in data["results"]]
    assert kinds == ["vector", "halfvec"]
    assert 0 < data["results"][1]["index_mb"] < data["results"][0]["index_mb"]
    assert all(r["recall_at_k"] > 0.5 for r in data["results"])
    with pytest.raises(SystemExit):
        vector_search_tool.main([*args, "--vector-type", "bit"])


def test_profile_writes_prof_files_and_a_report(tmp_path: Path) -> None:
    profile_tool.main(["--service", "nli", "--num-samples", "8", "--output-dir", str(tmp_path)])
    names = {p.name for p in tmp_path.iterdir()}
    assert {"nli_model_load.prof", "nli_single_pair.prof", "nli_batch.prof"} <= names
    report = json.loads((tmp_path / "profiling_report.json").read_text())
    assert report["bottleneck"]["stage"].startswith("nli.")
    assert report["recommendations"]


def test_optimize_batch_sizes_saves_where_model_cache_reads(tmp_path: Path, home: Path) -> None:
    batch_sizes_tool.main(
        [
            "--service",
            "embedding",
            "--min-batch",
            "4",
            "--max-batch",
            "8",
            "--num-samples",
            "16",
            "--output",
            str(tmp_path / "bs.json"),
        ]
    )
    data = json.loads((tmp_path / "bs.json").read_text())
    optimal = data["services"]["embedding"]["optimal"]["batch_size"]
    assert optimal in (4, 8)
    assert load_batch_size(home, "cpu", "embedding") == optimal


def test_e2e_prints_the_stage_breakdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "e2e.json"
    e2e_tool.main(
        [
            "--num-claims",
            "3",
            "--evidence-count",
            "5",
            "--warmup",
            "--verbose",
            "--output",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert "End-to-end performance:" in printed and "NLI:" in printed
    data = json.loads(out.read_text())
    assert data["passed_design_target"] is True
    assert set(data["breakdown"]) == {
        "embedding",
        "retrieval",
        "nli",
        "aggregation",
        "database",
        "second_opinion",
        "overhead",
    }
    if data["models"]["second"] is None:  # the accurate verifier is not installed here
        assert data["breakdown"]["second_opinion"]["total_ms"] == 0
        assert data["second_opinion_share"] == 0


def test_e2e_judges_our_target_at_top_10_with_caches_off_and_the_warm_up_untimed(
    tmp_path: Path,
) -> None:
    out = tmp_path / "e2e.json"

    e2e_tool.main(["--num-claims", "2", "--evidence-count", "10", "--output", str(out)])

    data = json.loads(out.read_text())
    assert data["caches"] is False and data["warmup"] is True
    assert data["our_target_top_k"] == 10 and data["our_target_p50_ms"] == 150.0
    assert data["passed_our_target"] is (data["latency_ms"]["p50"] < 150.0)
    assert data["passed_design_target"] is True
    assert data["num_claims"] == 2  # the warm-up claim is not among the timed ones


def test_e2e_does_not_judge_our_target_away_from_top_10(tmp_path: Path) -> None:
    out = tmp_path / "e2e.json"

    e2e_tool.main(
        ["--num-claims", "1", "--evidence-count", "3", "--no-warmup", "--output", str(out)]
    )

    data = json.loads(out.read_text())
    assert data["passed_our_target"] is None and data["warmup"] is False


def test_bench_takes_the_cli_home_and_writes_there_without_output(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("TRUTHGRAPH_HOME", str(elsewhere))
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(home),
            "bench",
            "nli",
            "--pairs",
            "4",
            "--batch-size",
            "4",
            "--repeats",
            "1",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads((home / "benchmarks" / "nli.json").read_text())["pairs_per_s"] > 0
    assert not elsewhere.exists()
    assert not (tmp_path / "benchmarks").exists()  # nothing in the folder it ran from


def test_measure_core_times_claims_at_top_10_with_caches_off(
    settings: Settings,
    database_url: str,
    embedder: LoadedEmbedder,
    nli: LoadedNLIModel,
    tmp_path: Path,
) -> None:
    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"claim": "Luc Besson produced Colombiana."}\n{"claim": "Soyuz flew."}\n')

    def load_parts() -> Parts:
        return PgvectorEvidenceStore(database_url), embedder, nli

    def verifier_for(parts: Parts) -> Verifier:
        return build_verifier(settings, *parts, caches=False)

    result = measure_core(
        load_parts, verifier_for, settings.retrieval, DEFAULT_CORPUS, claims, max_claims=2
    )

    timed = result["verify_top10_through_db_ms"]
    assert timed["claims"] == timed["n"] == 2 and 0 < timed["p50"] <= timed["p99"]
    assert set(result["ingest"]) == {"documents", "sentences", "seconds", "sentences_per_s"}
    assert result["machine"]["usable_cpus"] >= 1


def test_results_put_the_int8_path_beside_what_users_would_pick() -> None:
    from truthgraph.bench.results import render

    root = Path(__file__).resolve().parents[2]
    data = json.loads((root / "benchmarks" / "results" / "all.json").read_text())
    data["machine"]["cpu_flags"] = ["avx2"]
    page = render(data)
    section = page[page.index("## Against the stack users would pick") :]
    embed = data["backends"]
    ratio = (
        embed["onnx-int8"]["embeddings"]["best"]["texts_per_s"]
        / embed["torch"]["embeddings"]["best"]["texts_per_s"]
    )
    assert f"| {ratio:.2f}x | >= 3x |" in section
    assert "sentence-transformers `encode`" in section and "cross-encoder" in section
    assert "CPU int8 instruction sets: avx2." in section

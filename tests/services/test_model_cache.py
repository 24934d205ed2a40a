"""The design document's ModelCache / EmbeddingService / NLIService API with the real models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from truthgraph.ml.embedder import SentenceTransformerEmbedder
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.services.ml import EmbeddingService, ModelCache, NLILabel, NLIService
from truthgraph.settings import Settings

pytestmark = pytest.mark.models

# The design document's "Usage" example, verbatim (ml-performance-guide.md, Model Cache System).
DESIGN_DOC_USAGE = """
from truthgraph.services.ml.model_cache import ModelCache

# Get cache instance
cache = ModelCache.get_instance()

# Pre-load all models (recommended for production)
load_times = cache.warmup_all_models()
print(f"Warmup: {sum(load_times.values()):.1f}ms")

# Get services with automatic caching
embedding_service = cache.get_embedding_service()
nli_service = cache.get_nli_service()

# Get optimal batch size for current device
batch_size = cache.get_optimal_batch_size('embedding')

# Check cache stats
stats = cache.get_cache_stats()
print(f"Total memory: {stats['total_memory_mb']:.1f} MB")
print(f"Models loaded: {stats['models_loaded']}")

# Clean up memory after large batches
cache.cleanup_memory()

embeddings = embedding_service.embed_batch(["Soul Food is a 1997 film."] * 3, batch_size=batch_size)
print(len(embeddings), len(embeddings[0]))
print(stats['device_info']['device'])
"""


def test_design_document_usage_example_runs_as_written(home: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", DESIGN_DOC_USAGE],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TRUTHGRAPH_HOME": str(home), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Warmup: ") and lines[0].endswith("ms")
    assert lines[2] == "Models loaded: ['embedding', 'nli']"
    assert lines[3] == "3 384"
    assert lines[4] == "cpu"


def test_cache_loads_each_model_once_and_reports_stats(settings: Settings) -> None:
    cache = ModelCache(settings)
    assert cache.get_cache_stats()["models_loaded"] == []
    first = cache.get_embedding_service()
    assert cache.get_embedding_service() is first
    times = cache.warmup_all_models()
    assert set(times) == {"embedding", "nli"}
    stats = cache.get_cache_stats()
    assert stats["models_loaded"] == ["embedding", "nli"]
    assert 10 < stats["total_memory_mb"] < 1000
    assert stats["device_info"]["device"] == "cpu"
    assert cache.get_optimal_batch_size("nli") > 0


def test_get_instance_is_one_shared_cache() -> None:
    ModelCache.reset_instance()
    assert ModelCache.get_instance() is ModelCache.get_instance()
    ModelCache.reset_instance()


def test_embeddings_are_normalised_and_similar_texts_are_close(
    embedder: SentenceTransformerEmbedder,
) -> None:
    service = EmbeddingService(embedder)
    a, b, c = np.array(
        service.embed_batch(
            ["Paris is the capital of France.", "France's capital is Paris.", "Cats purr."]
        )
    )
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-4)
    assert a @ b > a @ c + 0.3
    # the same vector alone as in a batch: to float rounding on torch and ONNX fp32; int8
    # quantizes activations with one scale per batch, so batch-mates move it slightly
    single = np.array(service.embed_text("Paris is the capital of France."))
    assert single @ a == pytest.approx(1.0, abs=1e-2)


def test_nli_service_labels_clear_pairs(nli: CrossEncoderNLI) -> None:
    service = NLIService(nli)
    premise = "Soul Food is a 1997 American film released by Fox 2000 Pictures."
    results = service.verify_batch(
        [
            (premise, "Fox 2000 Pictures released the film Soul Food."),
            (premise, "Soul Food was released in 2005."),
            (premise, "Soul Food won an Academy Award."),
        ]
    )
    assert [r.label for r in results] == [
        NLILabel.ENTAILMENT,
        NLILabel.CONTRADICTION,
        NLILabel.NEUTRAL,
    ]
    for result in results:
        assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-4)
        assert result.confidence == max(result.scores.values())
    single = service.verify_single(premise, "Fox 2000 Pictures released the film Soul Food.")
    # alone as in a batch (int8 activations share one scale per batch: see the embedding test)
    assert single.entailment_score == pytest.approx(results[0].entailment_score, abs=1e-2)

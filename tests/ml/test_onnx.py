"""The ONNX Runtime backend against the torch models: same embeddings, same verdicts, no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from truthgraph.domain import Label, NLIScores
from truthgraph.ml.embedder import SentenceTransformerEmbedder
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.ml.onnx.cache import FP32_FILE, INT8_FILE, MANIFEST_FILE, export_dir
from truthgraph.ml.onnx.embedding import OnnxEmbedder
from truthgraph.ml.onnx.export import export_embedder, export_nli
from truthgraph.ml.onnx.nli import OnnxNLI
from truthgraph.ml.onnx.samples import demo_pairs, demo_sentences
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings

pytestmark = pytest.mark.models

BUILD_WITHOUT_TORCH = """
import json, sys, time
started = time.perf_counter()
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder, build_nli
settings = Settings()
embedder, nli = build_embedder(settings), build_nli(settings)
vector = embedder.embed(["Paris is the capital of France."])
scores = nli.predict([("Paris is the capital of France.", "Paris is in France.")])
print(json.dumps({
    "torch": "torch" in sys.modules,
    "transformers": "transformers" in sys.modules,
    "classes": [type(embedder).__name__, type(nli).__name__],
    "backends": [embedder.backend, nli.backend],
    "shape": list(vector.shape),
    "label": scores[0].label.value,
    "seconds": time.perf_counter() - started,
}))
"""


@pytest.fixture(scope="module")
def onnx_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TRUTHGRAPH_HOME of its own, with both default models exported under ``onnx/``."""
    home = tmp_path_factory.mktemp("onnx-home")
    settings = Settings(home=home, database_url=None)
    export_embedder(
        resolve_model(settings.model.embedding_model, settings.models_dir), home / "onnx"
    )
    export_nli(resolve_model(settings.model.nli_model, settings.models_dir), home / "onnx")
    return home


@pytest.fixture(scope="module")
def torch_embedder(onnx_home: Path) -> SentenceTransformerEmbedder:
    """The torch reference, whatever backend ``auto`` picks for the session's models."""
    return SentenceTransformerEmbedder(resolve_model("all-MiniLM-L6-v2", onnx_home / "models"))


@pytest.fixture(scope="module")
def torch_nli(onnx_home: Path) -> CrossEncoderNLI:
    model = resolve_model("truthgraph-verifier-minilm", onnx_home / "models")
    return CrossEncoderNLI(model)


def export_folder(home: Path, prefix: str) -> Path:
    (folder,) = (home / "onnx").glob(f"{prefix}-*")
    return folder


def test_export_writes_both_graphs_the_tokenizer_and_the_manifest(onnx_home: Path) -> None:
    folder = export_folder(onnx_home, "truthgraph-verifier-minilm")

    manifest = json.loads((folder / MANIFEST_FILE).read_text())

    assert (folder / FP32_FILE).stat().st_size > (folder / INT8_FILE).stat().st_size
    assert manifest["kind"] == "nli"
    assert manifest["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}


def test_onnx_embeddings_match_torch_on_demo_sentences(
    onnx_home: Path, torch_embedder: SentenceTransformerEmbedder
) -> None:
    sentences = demo_sentences()[:50]
    expected = torch_embedder.embed(sentences)
    folder = export_folder(onnx_home, "all-MiniLM-L6-v2")

    fp32 = np.sum(OnnxEmbedder(folder, int8=False).embed(sentences) * expected, axis=1)
    int8 = np.sum(OnnxEmbedder(folder, int8=True).embed(sentences) * expected, axis=1)

    assert fp32.min() > 0.9999
    assert int8.mean() >= 0.99
    assert int8.min() >= 0.98


def test_onnx_embedder_keeps_input_order_and_normalises(onnx_home: Path) -> None:
    folder = export_folder(onnx_home, "all-MiniLM-L6-v2")
    texts = ["A long sentence about the history of Paris and France.", "Short.", "Mid length."]
    fp32, int8 = OnnxEmbedder(folder, int8=False), OnnxEmbedder(folder, int8=True)

    together = fp32.embed(texts, batch_size=2)
    alone = np.vstack([fp32.embed([t]) for t in texts])
    # int8 activations share one scale per batch, so batch-mates move a vector slightly
    int8_cosine = np.sum(int8.embed(texts, batch_size=2) * alone, axis=1)

    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)
    assert int8_cosine.min() >= 0.98


def margin(scores: NLIScores) -> float:
    """How far the top probability is ahead of the second."""
    top, second = sorted((scores.entailment, scores.neutral, scores.contradiction))[:0:-1]
    return top - second


def test_int8_verifier_gives_torch_labels_on_demo_pairs_torch_gets_clearly_right(
    onnx_home: Path, torch_nli: CrossEncoderNLI
) -> None:
    pairs = demo_pairs()
    inputs = [(p.premise, p.hypothesis) for p in pairs]
    torch_scores = torch_nli.predict(inputs)
    right = [
        (pair, score.label)
        for pair, score, truth in zip(inputs, torch_scores, pairs, strict=True)
        if score.label is truth.label and margin(score) >= 0.4
    ]

    int8 = OnnxNLI(export_folder(onnx_home, "truthgraph-verifier-minilm"), int8=True)
    labels = [s.label for s in int8.predict([pair for pair, _ in right])]

    assert len(right) >= 100
    assert labels == [label for _, label in right]
    assert {Label.SUPPORTED, Label.REFUTED, Label.NOT_ENOUGH_INFO} <= set(labels)


def test_wiring_builds_onnx_int8_models_without_importing_torch(onnx_home: Path) -> None:
    graphs = sorted((onnx_home / "onnx").glob("*/*.onnx"))
    mtimes = [p.stat().st_mtime_ns for p in graphs]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRUTHGRAPH_HOME": str(onnx_home),
        "TRUTHGRAPH_MODEL__BACKEND": "onnx-int8",
        "HF_HUB_OFFLINE": "1",
    }

    out = subprocess.run(
        [sys.executable, "-c", BUILD_WITHOUT_TORCH],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )

    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["torch"] is False
    assert result["transformers"] is False
    assert result["classes"] == ["OnnxEmbedder", "OnnxNLI"]
    assert result["backends"] == ["onnx-int8", "onnx-int8"]
    assert result["shape"] == [1, 384]
    assert result["label"] == "SUPPORTED"
    # the cached export was reused, not written again
    assert sorted((onnx_home / "onnx").glob("*/*.onnx")) == graphs
    assert [p.stat().st_mtime_ns for p in graphs] == mtimes


@pytest.mark.parametrize("name", ["all-MiniLM-L6-v2", "truthgraph-verifier-minilm"])
def test_the_shipped_export_is_the_export_of_the_shipped_weights(name: str, tmp_path: Path) -> None:
    """A retrained or re-exported default model must be shipped again (scripts/ship_onnx.py)."""
    model = resolve_model(name, tmp_path / "models")

    assert model.export is not None, "no shipped export: run scripts/ship_onnx.py"
    assert model.export.name == export_dir(model, tmp_path / "onnx").name
    assert (model.export / INT8_FILE).stat().st_size < 30_000_000
    assert not (model.export / FP32_FILE).exists()


def test_the_graph_optimised_for_this_cpu_is_kept_and_gives_the_same_vectors(
    tmp_path: Path,
) -> None:
    from truthgraph.ml.onnx.session import optimized_path
    from truthgraph.ml.onnx.shipped import shipped_export

    folder = shipped_export("all-MiniLM-L6-v2")
    assert folder is not None
    texts = demo_sentences()[:16]
    plain = OnnxEmbedder(folder).embed(texts)
    cache = tmp_path / "optimized"
    first = OnnxEmbedder(folder, optimized_dir=cache)  # optimises and keeps the copy
    [copy] = list(cache.iterdir())
    assert copy == optimized_path(folder / INT8_FILE, cache)
    second = OnnxEmbedder(folder, optimized_dir=cache)  # reads the copy back
    np.testing.assert_allclose(first.embed(texts), plain, atol=1e-6)
    np.testing.assert_allclose(second.embed(texts), plain, atol=1e-6)
    copy.write_bytes(b"not a graph")  # a damaged copy is made again
    np.testing.assert_allclose(OnnxEmbedder(folder, optimized_dir=cache).embed(texts), plain)
    assert copy.stat().st_size > 1_000_000


def test_an_optimised_graph_is_filed_under_its_cpu(tmp_path: Path) -> None:
    from truthgraph.ml.cpu import cpu_signature

    avx2, vnni = tmp_path / "avx2", tmp_path / "vnni"
    avx2.write_text("model name\t: AMD EPYC\nflags\t\t: sse avx2\n")
    vnni.write_text("model name\t: Intel Xeon\nflags\t\t: sse avx2 avx512f avx512_vnni\n")
    assert cpu_signature(avx2) != cpu_signature(vnni)
    assert cpu_signature(avx2) == cpu_signature(avx2)

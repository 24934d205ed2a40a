"""Does the ONNX backend keep quality, and how fast is each backend on this machine?

For the embedding model: mean and minimum cosine between the ONNX (fp32, int8) and the torch
embeddings of real sentences (the demo corpus, split the way ingestion splits it). For the
verifier: accuracy of torch, ONNX fp32 and ONNX int8 on labelled pairs, and how often each
ONNX backend's label agrees with torch's (the held-out development pairs when a data folder
is given, ``truthgraph.ml.nli.dev_pairs.build_pairs(data_dir, embedder, "heldout")``; the demo
pairs otherwise). Each backend's throughput is measured on the same inputs with the same
batch size (best of ``repeats`` timed runs after a warm-up).

The quality bar (from the issue): embedding mean cosine >= 0.99 against torch fp32; verifier
accuracy within 0.5 point of torch. The fastest backend that meets it is the record's
``chosen`` backend, which ``TRUTHGRAPH_MODEL__BACKEND=auto`` then uses for that model.

>>> report = check_quality(Settings(), data_dir=Path("../shared/data"))
>>> for quality in report:
...     record_quality(quality, Settings().home / "onnx")    # quality.json per export folder

This module imports torch (it measures the torch backend); the serving path never imports it.
"""

from __future__ import annotations

import gc
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.domain import Label
from truthgraph.ml.backend import SHIPPED_QUALITY_TABLE, Backend, shipped_records
from truthgraph.ml.cpu import cpu_flags
from truthgraph.ml.nli.pair import Pair
from truthgraph.ml.onnx.cache import (
    QUALITY_FILE,
    TOKENIZER_FILE,
    Kind,
    read_manifest,
    write_json,
)
from truthgraph.ml.onnx.session import available_cores
from truthgraph.ml.onnx.tokens import load_tokenizer
from truthgraph.ml.registry import resolve_model
from truthgraph.ml.resolved import ResolvedModel
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel, NLIModel
from truthgraph.settings import Settings

MIN_MEAN_COSINE = 0.99
MAX_ACCURACY_DROP = 0.005
MIN_TIMED_TEXTS = 512
_LABEL_INDEX = {Label.SUPPORTED: 0, Label.NOT_ENOUGH_INFO: 1, Label.REFUTED: 2}


@dataclass(frozen=True, slots=True)
class BackendFigures:
    """One backend's measurements: throughput, and quality against torch."""

    backend: Backend
    per_second: float
    memory_mb: float
    passes: bool
    mean_cosine: float | None = None
    min_cosine: float | None = None
    accuracy: float | None = None
    agreement: float | None = None


@dataclass(frozen=True, slots=True)
class ModelQuality:
    """The quality check of one model: what was measured, on what, and each backend's figures."""

    kind: Kind
    model: str
    key: str
    data: str
    n: int
    timed_n: int
    batch_size: int
    mean_chars: float
    mean_tokens: float
    backends: dict[str, BackendFigures]
    machine: dict[str, Any] = field(default_factory=dict)

    @property
    def chosen(self) -> Backend:
        """The fastest backend that meets the quality bar (torch is the reference)."""
        passing = [f for f in self.backends.values() if f.passes]
        return max(passing, key=lambda f: f.per_second).backend

    def to_json(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "backends"},
            "chosen": self.chosen,
            "bar": {"min_mean_cosine": MIN_MEAN_COSINE, "max_accuracy_drop": MAX_ACCURACY_DROP},
            "backends": {name: asdict(f) for name, f in self.backends.items()},
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def machine_info() -> dict[str, Any]:
    """The machine the figures were measured on."""
    import onnxruntime
    import torch

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_flags": cpu_flags(),
        "cores_available": available_cores(),
        "logical_cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "onnxruntime": onnxruntime.__version__,
    }


def _best_rate(run: Callable[[], object], count: int, repeats: int) -> float:
    """Items per second of ``run`` (``count`` items): the best of ``repeats`` runs (the caller
    has warmed the model up)."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return count / best


def _repeat_to(items: Sequence[Any], minimum: int) -> list[Any]:
    copies = max(1, -(-minimum // max(1, len(items))))
    return list(items) * copies


def _token_counts(folder: Path, inputs: Sequence[Any], max_length: int) -> list[int]:
    tokenizer = load_tokenizer(folder / TOKENIZER_FILE, max_length)
    return [len(e.ids) for e in tokenizer.encode_batch(list(inputs))]


def _embedder_figures(
    backend: Backend,
    embedder: LoadedEmbedder,
    texts: Sequence[str],
    timed: Sequence[str],
    expected: np.ndarray,
    repeats: int,
) -> BackendFigures:
    cosine = np.sum(embedder.embed(texts) * expected, axis=1)  # also the warm-up
    return BackendFigures(
        backend,
        _best_rate(lambda: embedder.embed(timed), len(timed), repeats),
        embedder.memory_mb,
        passes=bool(cosine.mean() >= MIN_MEAN_COSINE),
        mean_cosine=float(cosine.mean()),
        min_cosine=float(cosine.min()),
    )


def check_embedder(
    model: ResolvedModel,
    cache_dir: Path,
    texts: Sequence[str],
    batch_size: int = 64,
    repeats: int = 3,
    torch_embedder: LoadedEmbedder | None = None,
) -> ModelQuality:
    """Cosine of ONNX fp32 / int8 embeddings against torch, and texts/s of all three."""
    from truthgraph.ml.embedder import SentenceTransformerEmbedder
    from truthgraph.ml.onnx.embedding import OnnxEmbedder
    from truthgraph.ml.onnx.export import export_embedder

    folder = export_embedder(model, cache_dir)
    timed = _repeat_to(texts, MIN_TIMED_TEXTS)
    reference = torch_embedder or SentenceTransformerEmbedder(model, "cpu", batch_size)
    expected = reference.embed(texts, batch_size)
    figures = {"torch": _embedder_figures("torch", reference, texts, timed, expected, repeats)}
    for backend in ("onnx", "onnx-int8"):
        onnx = OnnxEmbedder(folder, int8=backend == "onnx-int8", batch_size=batch_size)
        figures[backend] = _embedder_figures(backend, onnx, texts, timed, expected, repeats)
    tokens = _token_counts(folder, texts, read_manifest(folder, "embedder").max_length)
    return ModelQuality(
        kind="embedder",
        model=model.name,
        key=folder.name.rsplit("-", 1)[-1],
        data="demo corpus sentences",
        n=len(texts),
        timed_n=len(timed),
        batch_size=batch_size,
        mean_chars=float(np.mean([len(t) for t in texts])),
        mean_tokens=float(np.mean(tokens)),
        backends=figures,
        machine=machine_info(),
    )


def _labels(model: NLIModel, pairs: Sequence[tuple[str, str]], batch_size: int) -> np.ndarray:
    scores = model.predict(pairs, batch_size)
    return np.array([_LABEL_INDEX[s.label] for s in scores])


def _timed_labels(
    nli: LoadedNLIModel, inputs: Sequence[tuple[str, str]], batch_size: int, repeats: int
) -> tuple[np.ndarray, float, float]:
    """The labels ``nli`` predicts for ``inputs``, its pairs/s and its memory."""
    nli.predict(inputs[:batch_size], batch_size)  # warm-up
    labels: list[np.ndarray] = []
    rate = _best_rate(lambda: labels.append(_labels(nli, inputs, batch_size)), len(inputs), repeats)
    return labels[-1], rate, nli.memory_mb


def check_nli(
    model: ResolvedModel,
    cache_dir: Path,
    pairs: Sequence[Pair],
    data: str,
    batch_size: int = 32,
    max_length: int = 256,
    repeats: int = 1,
) -> ModelQuality:
    """Accuracy of torch, ONNX fp32 and ONNX int8 on ``pairs``, agreement with torch, pairs/s.

    The predictions are timed: each backend scores ``pairs`` ``repeats`` times (best run).
    """
    from truthgraph.ml.nli.model import CrossEncoderNLI
    from truthgraph.ml.onnx.export import export_nli
    from truthgraph.ml.onnx.nli import OnnxNLI

    folder = export_nli(model, cache_dir)
    inputs = [(p.premise, p.hypothesis) for p in pairs]
    truth = np.array([_LABEL_INDEX[p.label] for p in pairs])
    models: dict[Backend, Callable[[], Any]] = {
        "torch": lambda: CrossEncoderNLI(model, "cpu", batch_size, max_length),
        "onnx": lambda: OnnxNLI(folder, False, batch_size=batch_size, max_length=max_length),
        "onnx-int8": lambda: OnnxNLI(folder, True, batch_size=batch_size, max_length=max_length),
    }
    figures: dict[str, BackendFigures] = {}
    reference: np.ndarray | None = None
    torch_accuracy = 0.0
    for backend, load in models.items():
        predicted, rate, memory_mb = _timed_labels(load(), inputs, batch_size, repeats)
        accuracy = float(np.mean(predicted == truth))
        if reference is None:
            reference, torch_accuracy = predicted, accuracy
        figures[backend] = BackendFigures(
            backend,
            rate,
            memory_mb,
            passes=accuracy >= torch_accuracy - MAX_ACCURACY_DROP,
            accuracy=accuracy,
            agreement=float(np.mean(predicted == reference)),
        )
        gc.collect()
    tokens = _token_counts(folder, inputs, max_length)
    return ModelQuality(
        kind="nli",
        model=model.name,
        key=folder.name.rsplit("-", 1)[-1],
        data=data,
        n=len(pairs),
        timed_n=len(pairs),
        batch_size=batch_size,
        mean_chars=float(np.mean([len(p) + len(h) for p, h in inputs])),
        mean_tokens=float(np.mean(tokens)),
        backends=figures,
        machine=machine_info(),
    )


def check_quality(
    settings: Settings, data_dir: Path | None = None, repeats: int = 3
) -> list[ModelQuality]:
    """Check the configured embedding model and verifier (see the module doc), on CPU.

    With ``data_dir`` the verifier is checked on the held-out development pairs, else on the
    demo pairs. Exports are made (under ``settings.home / "onnx"``) where missing.
    """
    from truthgraph.ml.embedder import SentenceTransformerEmbedder
    from truthgraph.ml.nli.dev_pairs import build_pairs
    from truthgraph.ml.onnx.samples import demo_pairs, demo_sentences

    cache_dir = settings.home / "onnx"
    model = settings.model
    embedding_model = resolve_model(model.embedding_model, settings.models_dir)
    torch_embedder = SentenceTransformerEmbedder(embedding_model, "cpu", model.embedding_batch_size)
    embedder = check_embedder(
        embedding_model,
        cache_dir,
        demo_sentences(),
        model.embedding_batch_size,
        repeats,
        torch_embedder,
    )
    if data_dir is not None:
        pairs = build_pairs(data_dir, torch_embedder, "heldout")
        data = f"held-out development pairs ({data_dir})"
    else:
        pairs, data = demo_pairs(), "demo pairs (demo/nli_pairs.jsonl)"
    del torch_embedder
    gc.collect()
    verifier = check_nli(
        resolve_model(model.nli_model, settings.models_dir),
        cache_dir,
        pairs,
        data,
        model.nli_batch_size,
        model.nli_max_length,
        repeats=1 if data_dir is not None else repeats,
    )
    return [embedder, verifier]


def record_quality(quality: ModelQuality, cache_dir: Path) -> Path:
    """Write ``quality.json`` into the model's export folder (``auto`` reads it from there)."""
    folders = sorted(cache_dir.glob(f"*-{quality.key}"))
    if not folders:
        raise FileNotFoundError(f"no ONNX export with key {quality.key} in {cache_dir}")
    return write_json(folders[0] / QUALITY_FILE, quality.to_json())


def write_quality_table(
    qualities: Sequence[ModelQuality], path: Path = SHIPPED_QUALITY_TABLE
) -> Path:
    """Write the table of quality records shipped with the package (``models/``).

    A model's new record replaces its old one in place; the records of other models stay, so
    checking a model that is not the default never drops the defaults' records.
    """
    new: dict[tuple[object, object], dict[str, Any]] = {
        (q.kind, q.model): q.to_json() for q in qualities
    }
    records = [new.pop((r.get("kind"), r.get("model")), r) for r in shipped_records(path)]
    return write_json(path, {"records": records + list(new.values())})

"""Compare int8 forms of a verifier's ONNX export against its fp32 graph (issue 34).

Builds, beside the export's fp32 graph, static (calibrated, QDQ) int8 graphs in several forms,
calibrated on premises and claims of the development *train* split, then scores the held-out
development pairs with fp32, the export's own int8 graph and each form: accuracy, agreement of
labels with fp32, the largest probability gap, pairs per second and file size.

    python scripts/int8_forms.py --data-dir ../shared/data --model truthgraph-verifier-mpnet \
        --out benchmarks/results/int8-forms-mpnet.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.domain import Label
from truthgraph.ml.nli.dev_pairs import build_pairs
from truthgraph.ml.nli.pair import Pair
from truthgraph.ml.onnx.cache import FP32_FILE, INT8_FILE, MANIFEST_FILE, TOKENIZER_FILE
from truthgraph.ml.onnx.export import export_nli
from truthgraph.ml.onnx.nli import OnnxNLI
from truthgraph.ml.onnx.quality import machine_info
from truthgraph.ml.onnx.quantize import blockwise_quantize, quantize, static_quantize
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.wiring import build_embedder, onnx_cache_dir, quiet_libraries

_LABELS = {Label.SUPPORTED: 0, Label.NOT_ENOUGH_INFO: 1, Label.REFUTED: 2}

_FFN_OUT = [r"output/dense/MatMul"]
FORMS: dict[str, dict[str, Any]] = {
    "static-pc-minmax": {"per_channel": True, "method": "minmax"},
    "static-pc-percentile": {"per_channel": True, "method": "percentile"},
    "static-pc-minmax-ffn-out-fp32": {"per_channel": True, "method": "minmax", "exclude": _FFN_OUT},
    "block8-32-int8": {"blockwise": True, "block_size": 32, "gather_bits": 0},
    "block8-128-int8": {"blockwise": True, "block_size": 128, "gather_bits": 0},
    "block8-32-fp32": {"blockwise": True, "block_size": 32, "accuracy_level": 0, "gather_bits": 0},
    "block8-32-int8-g4": {"blockwise": True, "block_size": 32},
    "block8-32-int8-g8": {"blockwise": True, "block_size": 32, "gather_bits": 8},
    "block8-128-int8-g8": {"blockwise": True, "block_size": 128, "gather_bits": 8},
    "block8-64-int8-g4": {"blockwise": True, "block_size": 64},
    "block8-128-int8-g4": {"blockwise": True, "block_size": 128},
    "dynamic-pt-ffn-in-fp32": {"dynamic": True, "exclude": [r"intermediate/dense/MatMul"]},
    "dynamic-pt-ffn-out-fp32": {"dynamic": True, "exclude": _FFN_OUT},
    "dynamic-pt-qkv-fp32": {"dynamic": True, "exclude": [r"attn/[qkv]/MatMul"]},
    "dynamic-pt-o-fp32": {"dynamic": True, "exclude": [r"attn/o/MatMul"]},
    "dynamic-pt-gather-fp32": {"dynamic": True, "op_types": ["MatMul"]},
    "static-pc-percentile-ffn-out-fp32": {
        "per_channel": True,
        "method": "percentile",
        "exclude": _FFN_OUT,
    },
}


def _probabilities(
    folder: Path, int8: bool, pairs: Sequence[tuple[str, str]]
) -> tuple[np.ndarray, float]:
    model = OnnxNLI(folder, int8=int8)
    model.predict(list(pairs[:8]))  # warm-up
    started = time.perf_counter()
    scores = model.predict(list(pairs))
    rate = len(pairs) / (time.perf_counter() - started)
    probs = np.array([[s.entailment, s.neutral, s.contradiction] for s in scores])
    return probs, rate


def _form_folder(export: Path, name: str) -> Path:
    """A folder beside the export holding one form as its int8 graph (links to the rest)."""
    folder = export.parent / f"{export.name}.{name}"
    folder.mkdir(exist_ok=True)
    for file in (FP32_FILE, TOKENIZER_FILE, MANIFEST_FILE):
        link = folder / file
        if not link.exists():
            link.symlink_to(export / file)
    return folder


def _calibration_pairs(
    data_dir: Path, embedder: Any, count: int, seed: int
) -> list[tuple[str, str]]:
    pairs = build_pairs(data_dir, embedder, "train")
    random.Random(seed).shuffle(pairs)
    return [(p.text(True), p.hypothesis) for p in pairs[:count]]


def _pairs(
    data_dir: Path, settings: Settings, count: int, cache: Path | None
) -> tuple[list[tuple[str, str]], list[int], list[tuple[str, str]]]:
    """The held-out pairs (premise as read with its title, claim), their labels, and
    ``count`` calibration pairs of the train split; kept in ``cache`` when given."""
    if cache is not None and cache.is_file():
        saved = json.loads(cache.read_text())
        if len(saved["calibration"]) == count:
            return (
                [(p[0], p[1]) for p in saved["inputs"]],
                saved["labels"],
                [(p[0], p[1]) for p in saved["calibration"]],
            )
    embedder = build_embedder(settings)
    heldout: list[Pair] = build_pairs(data_dir, embedder, "heldout")
    inputs = [(p.text(True), p.hypothesis) for p in heldout]
    labels = [_LABELS[p.label] for p in heldout]
    calibration = _calibration_pairs(data_dir, embedder, count, seed=7)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(
            json.dumps({"inputs": inputs, "labels": labels, "calibration": calibration})
        )
    return inputs, labels, calibration


def _figures(
    probs: np.ndarray, reference: np.ndarray, truth: np.ndarray, rate: float, size: int
) -> dict[str, Any]:
    labels = probs.argmax(axis=1)
    return {
        "accuracy": round(float(np.mean(labels == truth)), 4),
        "agreement": round(float(np.mean(labels == reference.argmax(axis=1))), 4),
        "max_abs_diff": round(float(np.abs(probs - reference).max()), 4),
        "pairs_per_s": round(rate, 1),
        "mb": round(size / 1024 / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--model", default="truthgraph-verifier-mpnet")
    parser.add_argument("--calibration", type=int, default=256)
    parser.add_argument("--forms", default=",".join(FORMS))
    parser.add_argument("--limit", type=int, default=0, help="held-out pairs scored (0: all)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cache", type=Path, default=Path("runs/int8-forms/pairs.json"))
    args = parser.parse_args()
    quiet_libraries()
    settings = Settings()
    export = export_nli(resolve_model(args.model, settings.models_dir), onnx_cache_dir(settings))
    inputs, labels, calibration = _pairs(args.data_dir, settings, args.calibration, args.cache)
    if args.limit:
        inputs, labels = inputs[: args.limit], labels[: args.limit]
    truth = np.array(labels)
    results: dict[str, Any] = {"model": args.model, "n": len(inputs), "machine": machine_info()}
    reference, rate = _probabilities(export, False, inputs)
    fp32_size = (export / FP32_FILE).stat().st_size
    results["fp32"] = _figures(reference, reference, truth, rate, fp32_size)
    print("fp32", results["fp32"], flush=True)
    probs, rate = _probabilities(export, True, inputs)
    results["dynamic"] = _figures(
        probs, reference, truth, rate, (export / INT8_FILE).stat().st_size
    )
    print("dynamic", results["dynamic"], flush=True)
    for name in args.forms.split(","):
        folder = _form_folder(export, name)
        started = time.perf_counter()
        form = dict(FORMS[name])
        if form.pop("blockwise", False):
            blockwise_quantize(export / FP32_FILE, folder / INT8_FILE, **form)
        elif form.pop("dynamic", False):
            quantize(folder / FP32_FILE, **form)  # writes the folder's model.int8.onnx
        else:
            static_quantize(export / FP32_FILE, folder / INT8_FILE, calibration, **form)
        built = time.perf_counter() - started
        probs, rate = _probabilities(folder, True, inputs)
        results[name] = {
            **_figures(probs, reference, truth, rate, (folder / INT8_FILE).stat().st_size),
            "build_s": round(built, 1),
        }
        print(name, results[name], flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

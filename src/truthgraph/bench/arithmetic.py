"""Why a throughput target is or is not reachable: FLOPs per item against the cores.

For each model: the multiply-accumulate work of one forward pass (a BERT encoder: the four
attention projections and the two feed-forward matrices per token and layer, plus the
attention scores), at the mean token count of the benchmark's real texts; and this machine's
measured matrix-multiply throughput on ONNX Runtime, fp32 and int8 (dynamic quantization, the
shipped int8 settings), on the encoder's largest matrix shape, which is the most favourable
case. ``ceiling`` is items/s at 100% of that throughput: no backend can beat it.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

FFN_SHAPE = (2048, 384, 1536)  # rows (tokens in a batch) x hidden x intermediate


def encoder_flops(hidden: int, intermediate: int, layers: int, tokens: float) -> float:
    """FLOPs (2 per multiply-add) of one encoder forward pass over ``tokens`` tokens."""
    per_token = 2 * (4 * hidden * hidden + 2 * hidden * intermediate)
    attention = 2 * 2 * tokens * hidden  # Q.K^T and the weighted sum of V, per token
    return float(layers * tokens * (per_token + attention))


def config_flops(config_path: Path, tokens: float) -> float:
    config = json.loads(config_path.read_text())
    return encoder_flops(
        int(config["hidden_size"]),
        int(config["intermediate_size"]),
        int(config["num_hidden_layers"]),
        tokens,
    )


def mean_tokens(tokenizer_path: Path, texts: Sequence[str | tuple[str, str]]) -> float:
    """Mean token count (special tokens included) of ``texts`` or text pairs."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    encodings = tokenizer.encode_batch(list(texts))
    return float(np.mean([len(e.ids) for e in encodings]))


def _matmul_model(folder: Path, shape: tuple[int, int, int]) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rows, inner, cols = shape
    weights = np.random.default_rng(0).standard_normal((inner, cols)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, inner])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, cols])],
        [numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = folder / "matmul.onnx"
    onnx.save(model, str(path))
    return path


def measure_matmul(int8: bool, threads: int, repeats: int = 30) -> float:
    """Median operations/s of ONNX Runtime on one ``FFN_SHAPE`` matrix multiply."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from truthgraph.ml.onnx.quantize import root_logger_quiet
    from truthgraph.ml.onnx.session import create_session

    rows, inner, cols = FFN_SHAPE
    with tempfile.TemporaryDirectory() as tmp:
        path = _matmul_model(Path(tmp), FFN_SHAPE)
        if int8:
            quantized = Path(tmp) / "matmul.int8.onnx"
            with root_logger_quiet():
                quantize_dynamic(
                    str(path), str(quantized), per_channel=True, weight_type=QuantType.QInt8
                )
            path = quantized
        session = create_session(path, "cpu", threads)
        x = np.random.default_rng(1).standard_normal((rows, inner)).astype(np.float32)
        for _ in range(3):
            session.run(None, {"x": x})
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            session.run(None, {"x": x})
            times.append(time.perf_counter() - started)
    return 2.0 * rows * inner * cols / float(np.median(times))


def analyse(models: dict[str, dict[str, Any]], threads: int, repeats: int = 30) -> dict[str, Any]:
    """``models``: name -> {"flops": per item, "tokens", "target": items/s, "measured": {backend:
    items/s}}. Adds each model's ceiling at the measured fp32 and int8 throughput and the share
    of that throughput the target and the measured figures need."""
    peaks = {
        "fp32": measure_matmul(False, threads, repeats),
        "int8": measure_matmul(True, threads, repeats),
    }
    out: dict[str, Any] = {
        "threads": threads,
        "matmul_shape": list(FFN_SHAPE),
        "peak_gops": {k: round(v / 1e9, 1) for k, v in peaks.items()},
        "models": {},
    }
    for name, model in models.items():
        flops = model["flops"]
        out["models"][name] = {
            **{k: v for k, v in model.items() if k != "measured"},
            "gflop_per_item": round(flops / 1e9, 4),
            "ceiling_items_per_s": {k: round(v / flops, 1) for k, v in peaks.items()},
            "target_share_of_int8_peak": round(model["target"] * flops / peaks["int8"], 3),
            "measured": {
                backend: {
                    "items_per_s": value,
                    "share_of_peak": round(
                        value * flops / peaks["int8" if "int8" in backend else "fp32"], 3
                    ),
                }
                for backend, value in model.get("measured", {}).items()
                if isinstance(value, int | float)
            },
        }
    return out


def analyse_models(
    backends: dict[str, Any], num_texts: int, num_pairs: int, threads: int
) -> dict[str, Any]:
    """``analyse`` for the configured embedding model and verifier, on the same real texts and
    pairs as the throughput benchmarks, against the targets of issue #4 (1,000 texts/s,
    200 pairs/s) and the figures each backend measured."""
    from truthgraph.bench.texts import sample_pairs, sample_texts
    from truthgraph.ml.registry import resolve_model
    from truthgraph.settings import Settings

    settings = Settings()
    models: dict[str, dict[str, Any]] = {}
    for name, model_name, items, target, path in (
        (
            "embedding",
            settings.model.embedding_model,
            sample_texts(num_texts),
            1000,
            ("embeddings", "best", "texts_per_s"),
        ),
        (
            "verifier",
            settings.model.nli_model,
            sample_pairs(num_pairs),
            200,
            ("nli", "pairs_per_s"),
        ),
    ):
        folder = resolve_model(model_name, settings.models_dir).path
        if folder is None:
            continue
        tokens = mean_tokens(folder / "tokenizer.json", items)
        measured: dict[str, Any] = {}
        for backend, figures in backends.items():
            value: Any = figures
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            measured[backend] = value
        models[name] = {
            "model": Path(model_name).name,
            "tokens": round(tokens, 1),
            "flops": config_flops(folder / "config.json", tokens),
            "target": target,
            "measured": measured,
        }
    return analyse(models, threads)

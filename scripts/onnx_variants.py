"""Int8 export variants side by side: speed on real texts and pairs, and agreement with fp32.

An experiment for issue 22's levers (attention fused at export, u8 weights), run on one CPU
and named by its flags. Each variant is built from the fp32 graphs of the configured default
models (exported on the fly into a temporary folder: needs the `train` extra):

- ``shipped``: the export settings in ``INT8_SETTINGS`` (dynamic int8 MatMul and Gather);
- ``fused``: ONNX Runtime's BERT fusions (Attention, SkipLayerNorm, BiasGelu) applied to the
  fp32 graph first, then the same quantization with the fused Attention quantized too;
- ``fused-u8``: the same with uint8 weights.

    python scripts/onnx_variants.py [--texts 1000] [--pairs 300] [--repeat 5] [--out FILE]

Prints one table row per (model, variant): items/s (median of --repeat runs, batch 32), and
the agreement with the fp32 graph (embedding cosine mean/min; verifier same label share).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.bench.machine import describe_machine, machine_line
from truthgraph.bench.texts import sample_pairs, sample_texts
from truthgraph.ml.onnx.cache import FP32_FILE, INT8_FILE, INT8_SETTINGS
from truthgraph.ml.onnx.embedding import OnnxEmbedder
from truthgraph.ml.onnx.export import export_embedder, export_nli
from truthgraph.ml.onnx.nli import OnnxNLI
from truthgraph.ml.onnx.quantize import quantize
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.wiring import quiet_libraries


def fuse(fp32: Path, out: Path, heads: int, hidden: int) -> Path:
    """``fp32`` with ONNX Runtime's BERT fusions, written to ``out``."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(
        str(fp32), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1
    )
    model.save_model_to_file(str(out))
    counts = model.get_fused_operator_statistics()
    print(f"  fused {fp32.parent.name}: { {k: v for k, v in counts.items() if v} }", flush=True)
    return out


VARIANTS = ("shipped", "fused", "fused-u8")


def build_variant(export: Path, kind: str, name: str, root: Path) -> Path:
    """A copy of ``export``'s manifest and tokenizer with the ``name`` variant's int8 graph."""
    folder = root / f"{export.name}-{name}"
    folder.mkdir()
    for file in ("export.json", "tokenizer.json"):
        shutil.copy(export / file, folder / file)
    if name == "shipped":
        shutil.copy(export / INT8_FILE, folder / INT8_FILE)
        return folder
    settings = INT8_SETTINGS[kind]
    fuse(export / FP32_FILE, folder / FP32_FILE, heads=12, hidden=384)
    ops = [*settings["op_types"], "Attention"]
    quantize(
        folder / FP32_FILE,
        per_channel=True,
        op_types=ops,
        exclude=settings["exclude"],
        unsigned_weights=name == "fused-u8",
    )
    (folder / FP32_FILE).unlink()
    return folder


def timed(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm-up
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def measure(
    kind: str, export: Path, root: Path, texts: list[str], pairs: list[tuple[str, str]], repeat: int
) -> list[dict[str, Any]]:
    """One row per variant: items/s at batch 32 and the agreement with the fp32 graph."""
    rows: list[dict[str, Any]] = []
    if kind == "embedder":
        reference = OnnxEmbedder(export, int8=False).embed(texts)
    else:
        ref_labels = [s.label for s in OnnxNLI(export, int8=False).predict(pairs)]
    for name in VARIANTS:
        folder = build_variant(export, kind, name, root)
        row: dict[str, Any] = {"model": kind, "variant": name}
        if kind == "embedder":
            embedder = OnnxEmbedder(folder, batch_size=32)
            cosine = np.sum(embedder.embed(texts) * reference, axis=1)
            seconds = timed(partial(embedder.embed, texts), repeat)
            row |= {"cosine_mean": float(cosine.mean()), "cosine_min": float(cosine.min())}
            row["items_per_s"] = len(texts) / seconds
        else:
            nli = OnnxNLI(folder, batch_size=32)
            labels = [s.label for s in nli.predict(pairs)]
            row["same_label"] = float(
                np.mean([a == b for a, b in zip(labels, ref_labels, strict=True)])
            )
            row["items_per_s"] = len(pairs) / timed(partial(nli.predict, pairs), repeat)
        row["mb"] = round((folder / INT8_FILE).stat().st_size / 2**20, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    quiet_libraries()
    settings = Settings()
    texts, pairs = sample_texts(args.texts), sample_pairs(args.pairs)
    rows: list[dict[str, Any]] = []
    print(machine_line(describe_machine()), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        exports = {
            "embedder": export_embedder(
                resolve_model(settings.model.embedding_model, settings.models_dir), root / "c"
            ),
            "nli": export_nli(
                resolve_model(settings.model.nli_model, settings.models_dir), root / "c"
            ),
        }
        for kind, export in exports.items():
            rows += measure(kind, export, root, texts, pairs, args.repeat)
    print("\n| model | variant | items/s | MB | agreement with fp32 |\n|---|---|---|---|---|")
    for row in rows:
        agreement = (
            f"cosine {row['cosine_mean']:.4f} (min {row['cosine_min']:.4f})"
            if "cosine_mean" in row
            else f"same label {row['same_label']:.1%}"
        )
        print(
            f"| {row['model']} | {row['variant']} | {row['items_per_s']:.1f} | {row['mb']} "
            f"| {agreement} |"
        )
    if args.out:
        args.out.write_text(
            json.dumps({"machine": machine_line(describe_machine()), "rows": rows}, indent=2) + "\n"
        )


if __name__ == "__main__":
    main()

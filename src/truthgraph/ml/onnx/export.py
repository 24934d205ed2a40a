"""Export the embedding model and the NLI verifier to ONNX, and quantize them to int8.

The only module of ``ml/onnx`` that imports torch, and only inside the functions that export:
running an export needs torch, using one does not.

>>> folder = export_nli(resolve_model("truthgraph-verifier-minilm", models_dir), home / "onnx")
>>> sorted(p.name for p in folder.iterdir())
['export.json', 'model.int8.onnx', 'model.onnx', 'tokenizer.json']

Exports are cached: a second call returns the existing folder without exporting again. Each
export is built in a temporary folder next to its final place and moved there in one
``os.replace``, so a crash or a concurrent export never leaves half a folder behind.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from truthgraph.errors import ModelLoadError
from truthgraph.ml.nli.labels import label_indices
from truthgraph.ml.onnx.cache import (
    DEFAULT_NLI_MAX_LENGTH,
    FP32_FILE,
    INT8_FILE,
    MANIFEST_FILE,
    TOKENIZER_FILE,
    Kind,
    Manifest,
    export_dir,
    int8_settings,
    is_complete,
    model_folder,
)
from truthgraph.ml.onnx.quantize import blockwise_quantize, quantize
from truthgraph.ml.resolved import ResolvedModel

log = logging.getLogger(__name__)

OPSET = 17
_DYNAMIC = {0: "batch", 1: "sequence"}
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_SAMPLE_TEXTS = ("A short sentence.", "A somewhat longer sentence about Paris, the capital.")


def _export_graph(module: Any, inputs: dict[str, Any], output_name: str, destination: Path) -> None:
    """Trace ``module`` (positional tensors in ``inputs`` order) into an fp32 ONNX graph."""
    import torch

    names = list(inputs)
    dynamic_axes: dict[str, dict[int, str]] = {name: _DYNAMIC for name in names}
    dynamic_axes[output_name] = {0: "batch"}
    with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about python control flow
        torch.onnx.export(
            module,
            tuple(inputs[name] for name in names),
            str(destination),
            input_names=names,
            output_names=[output_name],
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _quiet_transformers() -> None:
    """No progress bars or load reports from transformers while exporting."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def _embedder_graph(source: Path, out: Path) -> Manifest:
    import torch
    from sentence_transformers import SentenceTransformer

    _quiet_transformers()
    model = SentenceTransformer(
        str(source), device="cpu", model_kwargs={"attn_implementation": "eager"}
    )
    model.float().eval()
    tokenizer = model.tokenizer
    names = [n for n in tokenizer.model_input_names if n in _INPUTS]

    class SentenceEmbedding(torch.nn.Module):
        """The sentence-transformers pipeline (transformer, pooling, normalisation) as a graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            features = dict(zip(names, tensors, strict=True))
            embedding: torch.Tensor = self.model(features)["sentence_embedding"]
            return embedding

    sample = tokenizer(list(_SAMPLE_TEXTS), padding=True, return_tensors="pt")
    _export_graph(SentenceEmbedding(), {n: sample[n] for n in names}, "embedding", out / FP32_FILE)
    tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    dimension = getter()
    max_length = model.max_seq_length or min(int(tokenizer.model_max_length), 512)
    return Manifest(
        kind="embedder",
        name="",
        source=str(source),
        inputs=tuple(names),
        max_length=int(max_length),
        pad_id=int(tokenizer.pad_token_id or 0),
        dimension=int(dimension or 0),
    )


def _nli_graph(source: Path, out: Path) -> Manifest:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    _quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(source), attn_implementation="eager"
    )
    model.float().eval()
    id2label = {int(k): str(v) for k, v in model.config.id2label.items()}
    label_indices(id2label)  # refuse a model that is not 3-class NLI before exporting it
    names = [n for n in tokenizer.model_input_names if n in _INPUTS]

    class Logits(torch.nn.Module):
        """The sequence classifier's logits as a graph."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            logits: torch.Tensor = self.model(**dict(zip(names, tensors, strict=True))).logits
            return logits

    sample = tokenizer(
        list(_SAMPLE_TEXTS), list(reversed(_SAMPLE_TEXTS)), padding=True, return_tensors="pt"
    )
    _export_graph(Logits(), {n: sample[n] for n in names}, "logits", out / FP32_FILE)
    tokenizer.backend_tokenizer.save(str(out / TOKENIZER_FILE))
    return Manifest(
        kind="nli",
        name="",
        source=str(source),
        inputs=tuple(names),
        max_length=DEFAULT_NLI_MAX_LENGTH,
        pad_id=int(tokenizer.pad_token_id or 0),
        id2label=id2label,
    )


def _build(
    model: ResolvedModel,
    cache_dir: Path,
    kind: Kind,
    graph: Callable[[Path, Path], Manifest],
    force: bool,
    folder: Path | None,
) -> Path:
    source = model_folder(model)
    final = folder or export_dir(model, cache_dir)
    if is_complete(final) and not force:
        return final
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=cache_dir))
    except OSError as exc:
        raise ModelLoadError(f"cannot create the ONNX cache folder {cache_dir}: {exc}") from exc
    started = time.perf_counter()
    log.info("exporting %s %s to ONNX in %s", kind, model.name, final)
    try:
        try:
            manifest = graph(source, work)
        except ModelLoadError:
            raise
        except Exception as exc:  # torch and transformers raise many types; wrap them all
            raise ModelLoadError(f"ONNX export of {model.location} failed: {exc}") from exc
        settings = int8_settings(kind, source)
        if settings.get("scheme") == "blockwise":
            blockwise = {k: v for k, v in settings.items() if k != "scheme"}
            blockwise_quantize(work / FP32_FILE, work / INT8_FILE, **blockwise)
        else:
            quantize(work / FP32_FILE, **settings)
        manifest = Manifest(**{**_fields(manifest), "name": model.name, "int8": settings})
        (work / MANIFEST_FILE).write_text(json.dumps(manifest.to_json(), indent=2) + "\n")
        if final.exists():
            shutil.rmtree(final)
        try:
            os.replace(work, final)
        except OSError:
            if not is_complete(final):  # another process may have finished first: keep its
                raise
    except OSError as exc:
        raise ModelLoadError(f"writing the ONNX export {final} failed: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("exported %s in %.1f s", final.name, time.perf_counter() - started)
    return final


def _fields(manifest: Manifest) -> dict[str, Any]:
    return {name: getattr(manifest, name) for name in Manifest.__slots__}


def export_embedder(
    model: ResolvedModel, cache_dir: Path, force: bool = False, folder: Path | None = None
) -> Path:
    """The ONNX export folder of a sentence-transformers model (exported when missing).

    ``folder``: ``cache.export_dir(model, cache_dir)`` when the caller has it already (it
    hashes the weights).

    The graph is the model's whole sentence-transformers pipeline (transformer, pooling,
    normalisation): inputs as the tokenizer names them, output ``embedding`` (batch, dim).
    """
    return _build(model, cache_dir, "embedder", _embedder_graph, force, folder)


def export_nli(
    model: ResolvedModel, cache_dir: Path, force: bool = False, folder: Path | None = None
) -> Path:
    """The ONNX export folder of a sequence-classification NLI model (exported when missing).

    Output ``logits`` (batch, 3), in the order of the model's ``config.id2label``.
    """
    return _build(model, cache_dir, "nli", _nli_graph, force, folder)

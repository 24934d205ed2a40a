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
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.data.files import atomic_write
from truthgraph.errors import ModelLoadError
from truthgraph.ml.nli.labels import label_indices
from truthgraph.ml.onnx.cache import (
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
    read_manifest,
)
from truthgraph.ml.resolved import ResolvedModel

log = logging.getLogger(__name__)

OPSET = 17
DEFAULT_NLI_MAX_LENGTH = 256
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


class _FromOnnxRuntime(logging.Filter):
    """Drops the records onnxruntime.quantization logs straight on the root logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname


@contextmanager
def root_logger_quiet() -> Iterator[None]:
    """While quantizing: keep onnxruntime's root-logger advice off stderr, and keep its
    ``logging.warning`` calls from installing a root handler (``basicConfig``) for good."""
    root = logging.getLogger()
    handler, drop = logging.NullHandler(), _FromOnnxRuntime()
    root.addHandler(handler)
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)
        root.removeHandler(handler)


def _matching_nodes(path: Path, patterns: Sequence[str]) -> list[str]:
    """Names of the nodes of the graph at ``path`` that match any regular expression."""
    import onnx

    if not patterns:
        return []
    graph = onnx.load(str(path), load_external_data=False).graph
    compiled = [re.compile(pattern) for pattern in patterns]
    return [node.name for node in graph.node if any(c.search(node.name) for c in compiled)]


def quantize(
    path: Path,
    per_channel: bool = False,
    op_types: Sequence[str] = ("MatMul",),
    exclude: Sequence[str] = (),
    unsigned_weights: bool = False,
) -> Path:
    """Write ``model.int8.onnx`` beside the fp32 graph at ``path``: int8 dynamic quantization of
    the weights of ``op_types`` (activations are quantized at run time), one scale per output
    channel when ``per_channel``, leaving in fp32 the nodes whose name matches a regular
    expression of ``exclude``; uint8 weights with ``unsigned_weights``. Tensors whose type shape
    inference cannot tell (outputs of fused contrib operators) are taken as fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    excluded = _matching_nodes(path, exclude)
    destination = path.with_name(INT8_FILE)

    def quantize(temporary: Path) -> None:
        with warnings.catch_warnings(), root_logger_quiet():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                path,
                temporary,
                weight_type=QuantType.QUInt8 if unsigned_weights else QuantType.QInt8,
                per_channel=per_channel,
                op_types_to_quantize=list(op_types),
                nodes_to_exclude=excluded,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )

    try:
        atomic_write(destination, quantize)
    except Exception as exc:  # onnx / onnxruntime raise untyped errors; wrap at the boundary
        raise ModelLoadError(f"int8 quantization of {path} failed: {exc}") from exc
    return destination


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


def _weighted_nodes(path: Path, op_types: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Names of the nodes of ``op_types`` that take a weight (a graph initializer), less those
    matching a regular expression of ``exclude``: the products of two activations (attention
    scores, their weighted values) stay fp32."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    weights = {tensor.name for tensor in graph.initializer}
    excluded = set(_matching_nodes(path, exclude))
    return [
        node.name
        for node in graph.node
        if node.op_type in op_types
        and any(name in weights for name in node.input)
        and node.name not in excluded
    ]


class _CalibrationRows:
    """Feeds of one (premise, hypothesis) row each, for ``quantize_static``'s calibration."""

    def __init__(self, folder: Path, pairs: Sequence[tuple[str, str]], max_length: int) -> None:
        from truthgraph.ml.onnx.tokens import bucketed_batches, load_tokenizer

        manifest = read_manifest(folder, "nli")
        tokenizer = load_tokenizer(folder / TOKENIZER_FILE, max_length)
        encodings = tokenizer.encode_batch(list(pairs))
        # one batch padded to the longest row, then cut into rows: every row has the same
        # shape, which the histogram calibrations (percentile) need
        (batch,) = bucketed_batches(
            encodings, len(encodings), manifest.inputs, manifest.pad_id, 1 << 40
        )
        order = np.argsort(batch.rows)
        self._feeds = iter(
            [{name: array[i : i + 1] for name, array in batch.feeds.items()} for i in order]
        )

    def get_next(self) -> dict[str, Any] | None:
        return next(self._feeds, None)


def static_quantize(
    path: Path,
    destination: Path,
    pairs: Sequence[tuple[str, str]],
    per_channel: bool = True,
    method: str = "minmax",
    op_types: Sequence[str] = ("MatMul", "Gather"),
    exclude: Sequence[str] = (),
    max_length: int = DEFAULT_NLI_MAX_LENGTH,
) -> Path:
    """Write a static int8 (QDQ) graph of the verifier's fp32 graph at ``path`` to
    ``destination``: weights of ``op_types`` in int8 (one scale per output channel when
    ``per_channel``), their activation inputs in uint8 with scales fixed by calibration on
    ``pairs`` (``method``: ``minmax`` or ``percentile``), so a row's scores never depend on its
    batch-mates. Only nodes with a weight are quantized, and none whose name matches a regular
    expression of ``exclude``."""
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    methods = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile}
    if method not in methods:
        raise ValueError(f"unknown calibration method {method!r}: one of {sorted(methods)}")
    rows = _CalibrationRows(path.parent, pairs, max_length)
    nodes = _weighted_nodes(path, op_types, exclude)

    def quantize(temporary: Path) -> None:
        with warnings.catch_warnings(), root_logger_quiet():
            warnings.simplefilter("ignore")
            quantize_static(
                path,
                temporary,
                rows,
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=list(op_types),
                per_channel=per_channel,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                nodes_to_quantize=nodes,
                calibrate_method=methods[method],
                calibration_providers=["CPUExecutionProvider"],
                extra_options={"CalibPercentile": 99.999} if method == "percentile" else {},
            )

    try:
        atomic_write(destination, quantize)
    except Exception as exc:  # onnx / onnxruntime raise untyped errors; wrap at the boundary
        raise ModelLoadError(f"static int8 quantization of {path} failed: {exc}") from exc
    return destination


def blockwise_quantize(
    path: Path,
    destination: Path,
    block_size: int = 32,
    accuracy_level: int = 4,
    gather_bits: int = 4,
) -> Path:
    """Write a weight-only quantized graph of the fp32 graph at ``path`` to ``destination``:
    the weights of every MatMul in 8 bits with one scale per block of ``block_size`` values
    (``MatMulNBits``), and the word-embedding table in ``gather_bits`` bits (8: one scale,
    weight-only; 4: ``GatherBlockQuantized`` in blocks of 32; 0: fp32). With
    ``accuracy_level`` 4 the products run in int8 on activations quantized per block of each
    row, so a row's scores never depend on its batch-mates; with 0 they run in fp32. Decision
    0033: the accurate verifier keeps fp32's labels this way, where one activation scale per
    tensor (``quantize``) does not."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    def config(bits: int, op_type: str, block: int) -> DefaultWeightOnlyQuantConfig:
        return DefaultWeightOnlyQuantConfig(
            block_size=block,
            is_symmetric=True,
            accuracy_level=accuracy_level,
            op_types_to_quantize=(op_type,),
            quant_axes=(("MatMul", 0), ("Gather", 1)),
            bits=bits,
        )

    passes = [config(8, "MatMul", block_size)]
    # only the word embeddings: the position table and the relative attention bias are small,
    # and the bias loses too much in 4 bits
    tables = _matching_nodes(path, [r"Gather"])
    word_table = [name for name in tables if "word_embeddings" in name]
    small_tables = [name for name in tables if name not in word_table]
    if gather_bits == 4:
        passes.append(config(4, "Gather", 32))

    def quantize(temporary: Path) -> None:
        with warnings.catch_warnings(), root_logger_quiet(), _quantizer_quiet():
            warnings.simplefilter("ignore")
            if gather_bits == 8:  # the word table in int8, one scale (weight-only)
                table = temporary.with_name(temporary.name + ".table.onnx")
                quantize_dynamic(
                    path,
                    table,
                    weight_type=QuantType.QInt8,
                    op_types_to_quantize=["Gather"],
                    nodes_to_quantize=word_table,
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )
                model = onnx.load(str(table))
                table.unlink()
            else:
                model = onnx.load(str(path))
            for step in passes:
                quantizer = MatMulNBitsQuantizer(
                    model, algo_config=step, nodes_to_exclude=small_tables
                )
                quantizer.process()
                model = quantizer.model.model
            onnx.save(model, str(temporary))

    try:
        atomic_write(destination, quantize)
    except Exception as exc:  # onnx / onnxruntime raise untyped errors; wrap at the boundary
        raise ModelLoadError(f"blockwise int8 quantization of {path} failed: {exc}") from exc
    return destination


@contextmanager
def _quantizer_quiet() -> Iterator[None]:
    """The block quantizer logs every node it visits at INFO on its own handler: keep it to
    errors while it runs."""
    quantizer_log = logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer")
    level = quantizer_log.level
    quantizer_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        quantizer_log.setLevel(level)

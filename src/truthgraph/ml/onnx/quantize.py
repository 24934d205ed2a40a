"""int8 forms of an exported fp32 graph: dynamic (``quantize``, the default for every model),
weight-only blockwise (``blockwise_quantize``, the accurate verifier's; decision 0033) and
static calibrated QDQ (``static_quantize``, kept for ``scripts/int8_forms.py``). Torch-free:
onnx and onnxruntime's quantization tools only. Each writes its graph through
``atomic_write``, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from truthgraph.data.files import atomic_write
from truthgraph.errors import ModelLoadError
from truthgraph.ml.onnx.cache import (
    DEFAULT_NLI_MAX_LENGTH,
    INT8_FILE,
    TOKENIZER_FILE,
    read_manifest,
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


def _named(graph: Any, patterns: Sequence[str]) -> list[str]:
    """Names of the nodes of ``graph`` (an ONNX ``GraphProto``) that match any regular
    expression of ``patterns``."""
    compiled = [re.compile(pattern) for pattern in patterns]
    return [node.name for node in graph.node if any(c.search(node.name) for c in compiled)]


def _matching_nodes(path: Path, patterns: Sequence[str]) -> list[str]:
    """Names of the nodes of the graph at ``path`` that match any regular expression."""
    import onnx

    if not patterns:
        return []
    return _named(onnx.load(str(path), load_external_data=False).graph, patterns)


def _written(destination: Path, what: str, source: Path, write: Callable[[Path], None]) -> Path:
    """``destination``, written in one piece by ``write(temporary)`` with onnxruntime's
    quantization advice kept quiet; its untyped errors become a ModelLoadError naming
    ``what`` and ``source``."""

    def quietly(temporary: Path) -> None:
        with warnings.catch_warnings(), root_logger_quiet():
            warnings.simplefilter("ignore")
            write(temporary)

    try:
        atomic_write(destination, quietly)
    except Exception as exc:  # onnx / onnxruntime raise untyped errors; wrap at the boundary
        raise ModelLoadError(f"{what} of {source} failed: {exc}") from exc
    return destination


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

    def quantize(temporary: Path) -> None:
        quantize_dynamic(
            path,
            temporary,
            weight_type=QuantType.QUInt8 if unsigned_weights else QuantType.QInt8,
            per_channel=per_channel,
            op_types_to_quantize=list(op_types),
            nodes_to_exclude=excluded,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )

    return _written(path.with_name(INT8_FILE), "int8 quantization", path, quantize)


def _weighted_nodes(path: Path, op_types: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Names of the nodes of ``op_types`` that take a weight (a graph initializer), less those
    matching a regular expression of ``exclude``: the products of two activations (attention
    scores, their weighted values) stay fp32."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    weights = {tensor.name for tensor in graph.initializer}
    excluded = set(_named(graph, exclude))
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

    return _written(destination, "static int8 quantization", path, quantize)


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
        table = temporary.with_name(temporary.name + ".table.onnx")
        try:
            with _quantizer_quiet():
                if gather_bits == 8:  # the word table in int8, one scale (weight-only)
                    quantize_dynamic(
                        path,
                        table,
                        weight_type=QuantType.QInt8,
                        op_types_to_quantize=["Gather"],
                        nodes_to_quantize=word_table,
                        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                    )
                model = onnx.load(str(table if gather_bits == 8 else path))
                for step in passes:
                    quantizer = MatMulNBitsQuantizer(
                        model, algo_config=step, nodes_to_exclude=small_tables
                    )
                    quantizer.process()
                    model = quantizer.model.model
                onnx.save(model, str(temporary))
        finally:
            table.unlink(missing_ok=True)

    return _written(destination, "blockwise int8 quantization", path, quantize)


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

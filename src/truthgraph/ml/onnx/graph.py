"""What the ONNX embedder and verifier share: the graph file (int8 or fp32) of an export, its
session, its tokenizer, and the names of its inputs and output."""

from __future__ import annotations

from pathlib import Path

from truthgraph.ml.device import clamp_batch_size
from truthgraph.ml.onnx.cache import FP32_FILE, INT8_FILE, TOKENIZER_FILE, Manifest
from truthgraph.ml.onnx.session import create_session
from truthgraph.ml.onnx.tokens import load_tokenizer, rows_per_run


class OnnxGraph:
    """One exported graph, loaded: ``folder`` holds it in fp32 and int8 (``int8`` picks),
    with the tokenizer (truncating at ``max_length`` tokens) and the ``manifest`` of its
    export."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        int8: bool,
        device: str,
        batch_size: int,
        batch_tokens: int,
        max_length: int,
        threads: int | None,
        optimized_dir: Path | None,
    ) -> None:
        self.name = manifest.name
        self.backend = "onnx-int8" if int8 else "onnx"
        self.device = device
        self.batch_size = clamp_batch_size(batch_size, device)
        self.batch_tokens = batch_tokens
        self.path = folder / (INT8_FILE if int8 else FP32_FILE)
        self._int8 = int8
        self._session = create_session(self.path, device, threads, optimized_dir)
        self._tokenizer = load_tokenizer(folder / TOKENIZER_FILE, max_length)
        self._inputs = tuple(i.name for i in self._session.get_inputs())
        self._output = self._session.get_outputs()[0].name
        self._pad_id = manifest.pad_id

    @property
    def memory_mb(self) -> float:
        """Size of the model graph and weights, in MiB."""
        return self.path.stat().st_size / 1024 / 1024

    def _rows_per_call(self, batch_size: int | None) -> int:
        """Rows a ``session.run`` takes: the batch size asked (or the model's), one on the int8
        graph (``tokens.rows_per_run``: a row's scores do not depend on its batch-mates)."""
        return rows_per_run(
            self._int8, clamp_batch_size(batch_size or self.batch_size, self.device)
        )

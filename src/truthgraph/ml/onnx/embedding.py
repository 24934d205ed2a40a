"""Sentence embeddings with ONNX Runtime. Torch-free: tokenizers + onnxruntime + numpy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.onnx.cache import read_manifest
from truthgraph.ml.onnx.graph import OnnxGraph
from truthgraph.ml.onnx.tokens import (
    MAX_BATCH_TOKENS,
    bucketed_batches,
)


class OnnxEmbedder(OnnxGraph):
    """Embeds texts into L2-normalised float32 vectors with an exported sentence-transformers
    model (see ``export.export_embedder``): the same tokenisation, truncation, pooling and
    normalisation as ``SentenceTransformerEmbedder``.

    >>> embedder = OnnxEmbedder(export_embedder(resolve_model("all-MiniLM-L6-v2", d), cache))
    >>> embedder.embed(["Paris is in France."]).shape
    (1, 384)
    """

    def __init__(
        self,
        folder: Path,
        int8: bool = True,
        device: str = "cpu",
        batch_size: int = 64,
        threads: int | None = None,
        optimized_dir: Path | None = None,
        batch_tokens: int = MAX_BATCH_TOKENS,
    ) -> None:
        manifest = read_manifest(folder, "embedder")
        super().__init__(
            folder,
            manifest,
            int8,
            device,
            batch_size,
            batch_tokens,
            manifest.max_length,
            threads,
            optimized_dir,
        )
        self.max_seq_length = manifest.max_length
        self.dimension: int = manifest.dimension
        if self.dimension <= 0:
            raise ModelLoadError(f"ONNX embedder at {folder} records no dimension")

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts`` into a float32 array of shape ``(len(texts), dimension)``; on the
        int8 graph one text a call, so that a text's vector does not depend on the others
        (``tokens.rows_per_run``)."""
        if isinstance(texts, str):
            raise InvalidInputError("embed() takes a list of texts, not one string")
        if any(not isinstance(t, str) for t in texts):
            raise InvalidInputError("embed() takes a list of strings")
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        size = self._rows_per_call(batch_size)
        encodings = self._tokenizer.encode_batch([t.strip() for t in texts])
        batches = bucketed_batches(encodings, size, self._inputs, self._pad_id, self.batch_tokens)
        for batch, vectors in self._outputs(batches):
            out[batch.rows] = vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: np.ndarray = out / np.maximum(norms, 1e-12)
        return normalised

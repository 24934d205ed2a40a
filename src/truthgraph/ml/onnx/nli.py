"""The NLI verifier with ONNX Runtime. Torch-free: tokenizers + onnxruntime + numpy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.nli.labels import label_indices
from truthgraph.ml.onnx.cache import key_of_export, read_manifest
from truthgraph.ml.onnx.graph import OnnxGraph
from truthgraph.ml.onnx.tokens import (
    MAX_BATCH_TOKENS,
    bucketed_batches,
)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed stably in float32."""
    shifted = logits.astype(np.float32) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


class OnnxNLI(OnnxGraph):
    """Scores (premise, hypothesis) pairs with an exported cross-encoder (see
    ``export.export_nli``): the same pair encoding (truncation longest first at ``max_length``
    tokens) and label order (the model's ``config.json`` id2label) as ``CrossEncoderNLI``.

    >>> nli = OnnxNLI(export_nli(resolve_model("truthgraph-verifier-minilm", d), cache))
    >>> nli.predict([("Paris is the capital of France.", "Paris is in France.")])[0].label
    <Label.SUPPORTED: 'SUPPORTED'>
    """

    def __init__(
        self,
        folder: Path,
        int8: bool = True,
        device: str = "cpu",
        batch_size: int = 32,
        max_length: int = 256,
        threads: int | None = None,
        optimized_dir: Path | None = None,
        batch_tokens: int = MAX_BATCH_TOKENS,
    ) -> None:
        manifest = read_manifest(folder, "nli")
        if manifest.id2label is None:
            raise ModelLoadError(f"ONNX verifier at {folder} records no labels")
        self.max_length = max_length
        self.weights_key: str | None = key_of_export(folder)  # the export is named by it
        self._indices = list(label_indices(manifest.id2label))
        super().__init__(
            folder,
            manifest,
            int8,
            device,
            batch_size,
            batch_tokens,
            max_length,
            threads,
            optimized_dir,
        )

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        """Score each (premise, hypothesis) pair; the result keeps the input order.

        Pairs are sorted by token count and padded per batch, so short pairs do not pay for
        long ones. On the int8 graph each pair is a call of its own (``tokens.rows_per_run``):
        its scores do not depend on the pairs scored with it.
        """
        if not pairs:
            return []
        for pair in pairs:
            if len(pair) != 2 or not all(isinstance(text, str) for text in pair):
                raise InvalidInputError("each NLI pair must be two strings")
        size = self._rows_per_call(batch_size)
        encodings = self._tokenizer.encode_batch([(p, h) for p, h in pairs])
        probs = np.zeros((len(pairs), 3), dtype=np.float32)
        batches = bucketed_batches(encodings, size, self._inputs, self._pad_id, self.batch_tokens)
        for batch, logits in self._outputs(batches):
            probs[batch.rows] = softmax(logits)[:, self._indices]
        return [NLIScores(float(p[0]), float(p[1]), float(p[2])) for p in probs]

"""The NLI verifier with ONNX Runtime. Torch-free: tokenizers + onnxruntime + numpy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.device import clamp_batch_size
from truthgraph.ml.nli.labels import label_indices
from truthgraph.ml.onnx.cache import (
    FP32_FILE,
    INT8_FILE,
    TOKENIZER_FILE,
    key_of_export,
    read_manifest,
)
from truthgraph.ml.onnx.session import create_session
from truthgraph.ml.onnx.tokens import (
    MAX_BATCH_TOKENS,
    bucketed_batches,
    load_tokenizer,
    rows_per_run,
)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed stably in float32."""
    shifted = logits.astype(np.float32) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


class OnnxNLI:
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
        self.name = manifest.name
        self.backend = "onnx-int8" if int8 else "onnx"
        self.device = device
        self.batch_size = clamp_batch_size(batch_size, device)
        self.batch_tokens = batch_tokens
        self.max_length = max_length
        self.path = folder / (INT8_FILE if int8 else FP32_FILE)
        self._int8 = int8
        self.weights_key: str | None = key_of_export(folder)  # the export is named by it
        self._indices = list(label_indices(manifest.id2label))
        self._session = create_session(self.path, device, threads, optimized_dir)
        self._tokenizer = load_tokenizer(folder / TOKENIZER_FILE, max_length)
        self._inputs = tuple(i.name for i in self._session.get_inputs())
        self._output = self._session.get_outputs()[0].name
        self._pad_id = manifest.pad_id

    @property
    def memory_mb(self) -> float:
        """Size of the model graph and weights, in MiB."""
        return self.path.stat().st_size / 1024 / 1024

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
        size = rows_per_run(
            self._int8, clamp_batch_size(batch_size or self.batch_size, self.device)
        )
        encodings = self._tokenizer.encode_batch([(p, h) for p, h in pairs])
        probs = np.zeros((len(pairs), 3), dtype=np.float32)
        for batch in bucketed_batches(
            encodings, size, self._inputs, self._pad_id, self.batch_tokens
        ):
            (logits,) = self._session.run([self._output], batch.feeds)
            probs[batch.rows] = softmax(logits)[:, self._indices]
        return [NLIScores(float(p[0]), float(p[1]), float(p[2])) for p in probs]

"""A cross-encoder NLI model: (premise, hypothesis) pairs to entailment/neutral/contradiction.

The map from a model's class indices to labels is ``labels.label_indices`` (torch-free, shared
with the ONNX verifier); it reads the model's own ``config.id2label``, so any 3-class NLI
cross-encoder (the shipped verifier, ``cross-encoder/nli-deberta-v3-base`` where a hub exists,
a local folder) loads the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from truthgraph.domain import NLIScores
from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.device import TorchModel, clamp_batch_size
from truthgraph.ml.nli.labels import NLI_LABELS, label_indices
from truthgraph.ml.onnx.cache import export_key
from truthgraph.ml.registry import require_source
from truthgraph.ml.resolved import ResolvedModel

__all__ = ["NLI_LABELS", "CrossEncoderNLI", "label_indices"]


class CrossEncoderNLI(TorchModel):
    """Scores (premise, hypothesis) pairs with a sequence-classification cross-encoder.

    >>> nli = CrossEncoderNLI(resolve_model("truthgraph-verifier-minilm", models_dir))
    >>> nli.predict([("Paris is the capital of France.", "Paris is in France.")])[0].label
    <Label.SUPPORTED: 'SUPPORTED'>
    """

    def __init__(
        self,
        model: ResolvedModel,
        device: str = "cpu",
        batch_size: int = 32,
        max_length: int = 256,
    ) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if model.hub_name is None:
            require_source(model, "the torch backend")
        self.name = model.name
        self.weights_key = _weights_key(model)
        self.device = device
        self.batch_size = clamp_batch_size(batch_size, device)
        self.max_length = max_length
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(model.location)
            # fp32 whatever the stored weights (the shipped verifier is stored in fp16)
            self._model: Any = AutoModelForSequenceClassification.from_pretrained(
                model.location, dtype=torch.float32
            )
        except Exception as exc:  # library raises many types; wrap them all at the boundary
            raise ModelLoadError(f"cannot load NLI model {model.location}: {exc}") from exc
        self._indices = label_indices(dict(self._model.config.id2label))
        self._model.to(device)
        if device == "cuda":
            self._model.half()
        else:
            self._model.float()
        self._model.eval()

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        """Score each (premise, hypothesis) pair; the result keeps the input order.

        Pairs are sorted by length and padded per batch, so short pairs do not pay for long ones.
        """
        if not pairs:
            return []
        for premise, hypothesis in pairs:
            if not isinstance(premise, str) or not isinstance(hypothesis, str):
                raise InvalidInputError("each NLI pair must be two strings")
        size = clamp_batch_size(batch_size or self.batch_size, self.device)
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        probs = np.zeros((len(pairs), 3), dtype=np.float32)
        ent, neu, con = self._indices
        with torch.inference_mode():
            for begin in range(0, len(order), size):
                chunk = order[begin : begin + size]
                encoded = self._tokenizer(
                    [pairs[i][0] for i in chunk],
                    [pairs[i][1] for i in chunk],
                    padding=True,
                    truncation="longest_first",
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                logits = self._model(**encoded).logits.float()
                batch = torch.softmax(logits, dim=-1).cpu().numpy()
                probs[chunk] = batch[:, [ent, neu, con]]
        return [NLIScores(float(p[0]), float(p[1]), float(p[2])) for p in probs]


def _weights_key(model: ResolvedModel) -> str | None:
    """A hash of the model's local weight files (None for a hub name)."""
    try:
        return export_key(model)
    except ModelLoadError:
        return None

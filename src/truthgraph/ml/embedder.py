"""Sentence embeddings with sentence-transformers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from truthgraph.errors import InvalidInputError, ModelLoadError
from truthgraph.ml.device import TorchModel, clamp_batch_size
from truthgraph.ml.registry import require_source
from truthgraph.ml.resolved import ResolvedModel


class SentenceTransformerEmbedder(TorchModel):
    """Embeds texts into L2-normalised vectors (cosine similarity = dot product).

    >>> embedder = SentenceTransformerEmbedder(resolve_model("all-MiniLM-L6-v2", models_dir))
    >>> embedder.embed(["Paris is in France."]).shape
    (1, 384)
    """

    def __init__(self, model: ResolvedModel, device: str = "cpu", batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        if model.hub_name is None:
            require_source(model, "the torch backend")
        self.name = model.name
        self.device = device
        self.batch_size = clamp_batch_size(batch_size, device)
        try:
            self._model: Any = SentenceTransformer(model.location, device=device)
        except Exception as exc:  # library raises many types; wrap them all at the boundary
            raise ModelLoadError(f"cannot load embedding model {model.location}: {exc}") from exc
        if device == "cuda":
            self._model.half()
        self._model.eval()
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = getter()
        if not isinstance(dim, int):
            raise ModelLoadError(f"embedding model {model.location} has no fixed dimension")
        self.dimension: int = dim

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Embed ``texts`` into a float32 array of shape ``(len(texts), dimension)``."""
        if isinstance(texts, str):
            raise InvalidInputError("embed() takes a list of texts, not one string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = clamp_batch_size(batch_size or self.batch_size, self.device)
        with torch.inference_mode():
            vectors = self._model.encode(
                list(texts),
                batch_size=size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

"""CachingEmbedder: repeated texts are not embedded again (bounded LRU, thread-safe)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from truthgraph.ports import Embedder


class CachingEmbedder:
    """Wraps an ``Embedder``; keeps the vectors of the ``max_entries`` most recent texts.

    >>> cached = CachingEmbedder(embedder)
    >>> _ = cached.embed(["a claim"]); _ = cached.embed(["a claim"])
    >>> cached.hits, cached.misses
    (1, 1)
    """

    def __init__(self, inner: Embedder, max_entries: int = 10_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Vectors for ``texts``; only texts not seen recently reach the wrapped embedder."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._vectors.move_to_end(text)
                    out[i] = vector
            self.hits += len(texts) - sum(len(v) for v in missing.values())
            self.misses += len(missing)
        if missing:
            fresh = self.inner.embed(list(missing), batch_size)
            with self._lock:
                for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._vectors[text] = vector
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.max_entries:
                    self._vectors.popitem(last=False)
        return out

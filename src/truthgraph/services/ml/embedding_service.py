"""EmbeddingService: the design document's embedding API over any loaded Embedder."""

from __future__ import annotations

from collections.abc import Sequence

from truthgraph.errors import InvalidInputError
from truthgraph.ports import LoadedEmbedder

DEFAULT_BATCH_SIZE = 64


class EmbeddingService:
    """Embeds texts; vectors are L2-normalised lists of floats.

    >>> service = ModelCache.get_instance().get_embedding_service()
    >>> len(service.embed_text("Soul Food is a 1997 film."))
    384
    """

    def __init__(self, embedder: LoadedEmbedder) -> None:
        self.embedder = embedder

    @property
    def model_name(self) -> str:
        return self.embedder.name

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def embed_text(self, text: str) -> list[float]:
        """The embedding of one text."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("cannot embed an empty text")
        return [float(x) for x in self.embedder.embed([text])[0]]

    def embed_batch(
        self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE
    ) -> list[list[float]]:
        """The embeddings of many texts, in order."""
        if any(not isinstance(t, str) for t in texts):
            raise InvalidInputError("embed_batch takes a list of strings")
        return [[float(x) for x in row] for row in self.embedder.embed(texts, batch_size)]

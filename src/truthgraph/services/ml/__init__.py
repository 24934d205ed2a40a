"""ML services with the design document's import paths: ModelCache, EmbeddingService, NLIService.

These are thin faces over ``truthgraph.ml`` and ``truthgraph.wiring``.
"""

from truthgraph.ml.nli.labels import NLILabel
from truthgraph.services.ml.embedding_service import EmbeddingService
from truthgraph.services.ml.model_cache import ModelCache
from truthgraph.services.ml.nli_service import NLIResult, NLIService

__all__ = ["EmbeddingService", "ModelCache", "NLILabel", "NLIResult", "NLIService"]

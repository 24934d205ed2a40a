"""ModelCache: lazily loaded, shared model services (the design document's API).

``ModelCache.get_instance()`` returns one process-wide cache built from the ``TRUTHGRAPH_*``
environment; it exists because the design document promises it. Code that already holds a
``Settings`` object can build its own ``ModelCache(settings)`` and pass it down instead.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeVar

import psutil

from truthgraph.errors import InvalidInputError
from truthgraph.ml.batch_sizes import load_batch_size
from truthgraph.ml.device import MAX_BATCH_SIZE, clamp_batch_size, device_info
from truthgraph.services.ml.embedding_service import EmbeddingService
from truthgraph.services.ml.nli_service import NLIService
from truthgraph.settings import Settings

ServiceName = Literal["embedding", "nli"]
T = TypeVar("T")
_DEFAULT_BATCH = {
    "embedding": {"cuda": 128, "mps": 64, "cpu": 64},
    "nli": {"cuda": 64, "mps": 32, "cpu": 32},
}


def _runtime_info(device: str) -> dict[str, object]:
    """The device, and torch's view of it only when torch is loaded (the ONNX backend
    never loads it)."""
    if "torch" in sys.modules:
        return device_info(device)
    import onnxruntime

    from truthgraph.ml.onnx.session import available_cores

    return {
        "device": device,
        "onnxruntime_version": onnxruntime.__version__,
        "num_threads": available_cores(),
    }


class ModelCache:
    """Loads each model once, on first use, behind a lock; tracks load times and memory.

    >>> cache = ModelCache.get_instance()
    >>> load_times = cache.warmup_all_models()
    >>> sorted(load_times)
    ['embedding', 'nli']
    """

    _instance: ClassVar[ModelCache | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        from truthgraph.wiring import runtime_device

        self.device = runtime_device(self.settings)
        self._lock = threading.RLock()
        self._embedding: EmbeddingService | None = None
        self._nli: NLIService | None = None
        self._load_times_ms: dict[str, float] = {}

    @classmethod
    def get_instance(cls) -> ModelCache:
        """The process-wide cache (settings from the ``TRUTHGRAPH_*`` environment)."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    @classmethod
    def reset_instance(cls) -> None:
        """Forget the process-wide cache (tests, or after changing settings)."""
        with cls._instance_lock:
            if cls._instance is not None:
                cls._instance.cleanup_memory()
            cls._instance = None

    def _timed(self, name: ServiceName, load: Callable[[], T]) -> T:
        """``load()``, its time noted as ``name``'s load time."""
        started = time.perf_counter()
        service = load()
        self._load_times_ms[name] = (time.perf_counter() - started) * 1000
        return service

    def get_embedding_service(self) -> EmbeddingService:
        """The embedding service, loading the model on first call."""
        with self._lock:
            if self._embedding is None:
                from truthgraph.wiring import build_embedder

                self._embedding = self._timed(
                    "embedding", lambda: EmbeddingService(build_embedder(self.settings))
                )
            return self._embedding

    def get_nli_service(self) -> NLIService:
        """The NLI service, loading the model on first call."""
        with self._lock:
            if self._nli is None:
                from truthgraph.wiring import build_nli

                self._nli = self._timed("nli", lambda: NLIService(build_nli(self.settings)))
            return self._nli

    def warmup_all_models(self) -> dict[str, float]:
        """Load both models and run one inference each; load time in ms per model."""
        embedding = self.get_embedding_service()
        nli = self.get_nli_service()
        embedding.embed_text("Warm-up sentence.")
        nli.verify_single("The sky is blue.", "The sky has a colour.")
        return dict(self._load_times_ms)

    def get_optimal_batch_size(self, name: ServiceName) -> int:
        """The batch size for ``name`` on this device: measured (see
        ``truthgraph bench batch-sizes``) when saved under TRUTHGRAPH_HOME, else a default."""
        if name not in _DEFAULT_BATCH:
            raise InvalidInputError(f"unknown service {name!r}; use 'embedding' or 'nli'")
        saved = load_batch_size(self.settings.home, self.device, name)
        if saved is not None:
            return clamp_batch_size(saved, self.device)
        return _DEFAULT_BATCH[name].get(self.device, 32)

    def get_cache_stats(self) -> dict[str, Any]:
        """Which models are loaded, their memory, load times, and the device."""
        with self._lock:
            memory: dict[str, float] = {}
            if self._embedding is not None:
                memory["embedding"] = self._embedding.embedder.memory_mb
            if self._nli is not None:
                memory["nli"] = self._nli.model.memory_mb
            return {
                "models_loaded": sorted(memory),
                "model_names": {
                    **({"embedding": self._embedding.model_name} if self._embedding else {}),
                    **({"nli": self._nli.model_name} if self._nli else {}),
                },
                "memory_mb": {k: round(v, 1) for k, v in memory.items()},
                "total_memory_mb": round(sum(memory.values()), 1),
                "process_rss_mb": round(psutil.Process().memory_info().rss / 1024 / 1024, 1),
                "load_times_ms": {k: round(v, 1) for k, v in self._load_times_ms.items()},
                "device_info": {**_runtime_info(self.device), "max_batch_size": MAX_BATCH_SIZE},
            }

    def cleanup_memory(self) -> None:
        """Free what can be freed after large batches (garbage, CUDA cache); models stay."""
        gc.collect()
        torch = sys.modules.get("torch")  # only a torch model can hold a CUDA cache
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

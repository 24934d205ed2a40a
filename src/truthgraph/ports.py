"""The roles the verification pipeline depends on; implementations live in ml/ and db/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from truthgraph.domain import EvidenceHit, NLIScores, Verdict


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray: ...


class NLIModel(Protocol):
    """Scores (premise, hypothesis) pairs."""

    name: str

    @property
    def backend(self) -> str:
        """What runs the model (``torch``, ``onnx``, ``onnx-int8``): scores differ slightly
        between backends, so the NLI cache keeps them apart."""
        ...

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]: ...


class LoadedEmbedder(Embedder, Protocol):
    """An Embedder whose model is loaded in this process; it reports its size and backend."""

    @property
    def memory_mb(self) -> float: ...

    @property
    def backend(self) -> str:
        """What runs the model: ``torch``, ``onnx`` or ``onnx-int8``."""
        ...


class LoadedNLIModel(NLIModel, Protocol):
    """An NLIModel whose model is loaded in this process; it reports its size and the hash of
    the weights it was loaded from."""

    @property
    def memory_mb(self) -> float: ...

    @property
    def weights_key(self) -> str | None:
        """A hash of the loaded weights (None for a hub model with no local files)."""
        ...


def nli_cache_key(nli: LoadedNLIModel) -> str:
    """The verifier's name, backend and the hash of its weights it was loaded with: a
    retrained model at the same path never reads the scores of the old one from the NLI
    cache. (A hub model has no local weights to hash: name and backend only.)"""
    if nli.weights_key:
        return f"{nli.name}/{nli.backend}/{nli.weights_key}"
    return f"{nli.name}/{nli.backend}"


@dataclass(frozen=True, slots=True)
class Collection:
    """A named corpus; its evidence is embedded with one model of one dimension."""

    id: int
    name: str
    embedding_model: str
    embedding_dim: int
    index_type: str
    index_params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Per-query index parameters."""

    top_k: int = 10
    ef_search: int = 40
    probes: int = 10


class EvidenceStore(Protocol):
    """Where evidence lives and verdicts are kept."""

    def get_collection(self, name: str) -> Collection: ...

    def search(
        self, collection: Collection, vectors: np.ndarray, params: SearchParams
    ) -> list[list[EvidenceHit]]: ...

    def lexical_search(
        self, collection: Collection, queries: Sequence[str], vectors: np.ndarray, top_k: int
    ) -> list[list[EvidenceHit]]: ...

    def save_verdict(
        self,
        verdict: Verdict,
        embedding_model: str,
        nli_model: str,
        origin: str | None = None,
    ) -> Verdict: ...

    def save_timings(self, verdict_id: int, timings_ms: dict[str, float]) -> None:
        """Replace a saved verdict's stage timings (once the save itself has been timed)."""
        ...


class NLICache(Protocol):
    """Scores of (evidence sentence, claim) pairs already computed by a model."""

    def cached_scores(
        self, model: str, keys: Sequence[tuple[int, str]]
    ) -> dict[tuple[int, str], NLIScores]: ...

    def save_scores(self, model: str, items: Sequence[tuple[int, str, NLIScores]]) -> None: ...

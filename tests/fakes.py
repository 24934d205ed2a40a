"""Fakes for unit tests of pure pipeline logic; never used in integration tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from truthgraph.domain import EvidenceHit, NLIScores, Verdict
from truthgraph.errors import NotFoundError
from truthgraph.ports import Collection, SearchParams


class FakeEmbedder:
    """Deterministic vectors from a hash of each word (bag of words, normalised)."""

    name = "fake-embedder"
    dimension = 32

    def embed(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                index = int(hashlib.md5(word.strip(".,").encode()).hexdigest(), 16) % 32
                out[row, index] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


class FakeNLI:
    """Returns scripted scores: entailment when the premise contains the hypothesis's last word."""

    name = "fake-nli"
    backend = "fake"

    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int | None = None
    ) -> list[NLIScores]:
        result = []
        for premise, hypothesis in pairs:
            key = hypothesis.lower().strip(".").split()[-1]
            if key in premise.lower():
                result.append(NLIScores(0.9, 0.05, 0.05))
            else:
                result.append(NLIScores(0.05, 0.9, 0.05))
        return result


class InMemoryEvidenceStore:
    """Exact cosine search over a list of sentences in one collection."""

    def __init__(
        self,
        name: str,
        sentences: Sequence[str],
        embedder: FakeEmbedder,
        title: str | None = None,
    ) -> None:
        self.collection = Collection(1, name, embedder.name, embedder.dimension, "hnsw", {})
        self.sentences = list(sentences)
        self.title = title  # every sentence's document title
        self.vectors = embedder.embed(self.sentences)
        self.saved: list[Verdict] = []
        self.saved_timings: dict[int, dict[str, float]] = {}

    def get_collection(self, name: str) -> Collection:
        if name != self.collection.name:
            raise NotFoundError(f"unknown collection {name!r}")
        return self.collection

    def search(
        self, collection: Collection, vectors: np.ndarray, params: SearchParams
    ) -> list[list[EvidenceHit]]:
        results = []
        for vector in vectors:
            sims = self.vectors @ vector
            order = np.argsort(-sims)[: params.top_k]
            results.append([self._hit(int(i), float(sims[i])) for i in order])
        return results

    def lexical_search(
        self, collection: Collection, queries: Sequence[str], vectors: np.ndarray, top_k: int
    ) -> list[list[EvidenceHit]]:
        """Sentences sharing a word with the query, most shared words first."""
        results = []
        for query, vector in zip(queries, vectors, strict=True):
            words = set(query.lower().strip(".").split())
            shared = [len(words & set(s.lower().strip(".").split())) for s in self.sentences]
            order = [i for i in np.argsort([-n for n in shared], kind="stable") if shared[i]]
            sims = self.vectors @ vector
            results.append([self._hit(int(i), float(sims[i])) for i in order[:top_k]])
        return results

    def _hit(self, index: int, similarity: float) -> EvidenceHit:
        text = self.sentences[index]
        return EvidenceHit(index, 1, text, 0, len(text), similarity, title=self.title)

    def save_verdict(
        self,
        verdict: Verdict,
        embedding_model: str,
        nli_model: str,
        origin: str | None = None,
    ) -> Verdict:
        self.saved.append(verdict)
        return verdict

    def save_timings(self, verdict_id: int, timings_ms: dict[str, float]) -> None:
        self.saved_timings[verdict_id] = dict(timings_ms)

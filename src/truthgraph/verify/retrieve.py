"""The retrieval stage: each claim's evidence from the store (vector search, optionally fused
with full-text search), distinct texts, above the similarity floor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from truthgraph.domain import EvidenceHit
from truthgraph.errors import ConfigError
from truthgraph.ports import Collection, EvidenceStore, SearchParams
from truthgraph.verify.distinct import SPARE_FACTOR, distinct_hits
from truthgraph.verify.fusion import reciprocal_rank_fusion
from truthgraph.verify.options import VerifyOptions

MAX_SEARCH = 400  # the most hits one search asks for (top_k is at most 200)


def retrieve(
    store: EvidenceStore,
    target: Collection,
    texts: Sequence[str],
    vectors: np.ndarray,
    options: VerifyOptions,
    params: SearchParams | None = None,
) -> list[list[EvidenceHit]]:
    """The evidence for each claim: vector search (fused with full-text search when
    ``options.hybrid``), above ``options.min_similarity``, distinct texts, top k (or the
    deeper ``options.rerank_depth``, which the judge narrows to the top k)."""
    if params is None:
        params = search_params(options)
    hits = store.search(target, vectors, params)
    if options.hybrid:
        lexical = store.lexical_search(target, texts, vectors, params.top_k)
        hits = [
            [r.hit for r in reciprocal_rank_fusion(v, w, len(v) + len(w))]
            for v, w in zip(hits, lexical, strict=True)
        ]
    return [
        distinct_hits((h for h in row if h.similarity >= options.min_similarity), _depth(options))
        for row in hits
    ]


def search_params(options: VerifyOptions) -> SearchParams:
    """What one search asks for: spare hits, as repeated texts are dropped and the rest fill
    the top k."""
    return SearchParams(
        min(_depth(options) * SPARE_FACTOR, MAX_SEARCH), options.ef_search, options.probes
    )


def _depth(options: VerifyOptions) -> int:
    """How many hits a claim's evidence holds before the rerank: the top k, or more."""
    return max(options.top_k, options.rerank_depth)


def embedded_with(target: Collection, embedding_model: str) -> Collection:
    """``target``, searchable with vectors of ``embedding_model``; ConfigError when the
    collection was embedded with another model."""
    if target.embedding_model != embedding_model:
        raise ConfigError(
            f"collection {target.name!r} was embedded with {target.embedding_model}; "
            f"the configured embedding model is {embedding_model}"
        )
    return target

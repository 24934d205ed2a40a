"""Hybrid evidence search: reciprocal rank fusion of vector and keyword results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truthgraph.domain import EvidenceHit

RRF_K = 60


@dataclass(frozen=True, slots=True)
class RankedHit:
    """An evidence hit with the score it ranks by and what each search said of it."""

    hit: EvidenceHit
    score: float
    vector_similarity: float | None = None
    keyword_rank: float | None = None


def vector_only(hits: Sequence[EvidenceHit]) -> list[RankedHit]:
    return [RankedHit(h, h.similarity, vector_similarity=h.similarity) for h in hits]


def keyword_only(hits: Sequence[EvidenceHit]) -> list[RankedHit]:
    return [RankedHit(h, h.similarity, keyword_rank=h.similarity) for h in hits]


def reciprocal_rank_fusion(
    vector_hits: Sequence[EvidenceHit],
    keyword_hits: Sequence[EvidenceHit],
    top_k: int,
    k: int = RRF_K,
) -> list[RankedHit]:
    """Score each sentence ``sum(1 / (k + rank))`` over the lists it appears in (rank from 1),
    best first; ties keep vector order (Cormack et al., SIGIR 2009). A sentence both searches
    found outranks one that only one of them found at the same rank.
    """
    scores: dict[int, float] = {}
    hits: dict[int, EvidenceHit] = {}
    similarity: dict[int, float] = {}
    keyword: dict[int, float] = {}
    for rank, hit in enumerate(vector_hits, start=1):
        scores[hit.evidence_id] = scores.get(hit.evidence_id, 0.0) + 1.0 / (k + rank)
        hits.setdefault(hit.evidence_id, hit)
        similarity[hit.evidence_id] = hit.similarity
    for rank, hit in enumerate(keyword_hits, start=1):
        scores[hit.evidence_id] = scores.get(hit.evidence_id, 0.0) + 1.0 / (k + rank)
        hits.setdefault(hit.evidence_id, hit)
        keyword[hit.evidence_id] = hit.similarity
    order = sorted(scores, key=lambda i: -scores[i])  # sorted() is stable
    return [RankedHit(hits[i], scores[i], similarity.get(i), keyword.get(i)) for i in order[:top_k]]

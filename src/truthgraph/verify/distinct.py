"""One vote per distinct evidence text.

A corpus often holds the same sentence more than once (a paragraph copied into two
documents, boilerplate, evidence sets that overlap). Counting each copy as its own piece of
evidence would let one sentence outvote the others and crowd different sentences out of the
top k, so the verifier keeps the first (most similar) copy of each text.
"""

from __future__ import annotations

from collections.abc import Iterable

from truthgraph.domain import EvidenceHit

# How many more hits than top_k a search asks for, so that dropping repeats still leaves k.
SPARE_FACTOR = 2


def text_key(text: str) -> str:
    """What makes two evidence texts the same: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def distinct_hits(hits: Iterable[EvidenceHit], limit: int | None = None) -> list[EvidenceHit]:
    """The hits in order, without those whose text repeats an earlier one; at most ``limit``.

    Hits with the texts "A b.", "a  B." and "C." give the first and the third.
    """
    seen: set[str] = set()
    kept: list[EvidenceHit] = []
    for hit in hits:
        key = text_key(hit.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(hit)
        if limit is not None and len(kept) >= limit:
            break
    return kept

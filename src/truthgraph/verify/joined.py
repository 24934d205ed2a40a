"""Evidence read together, and evidence reranked by the verifier. Pure functions, no I/O.

Per-sentence scoring loses where the verdict needs two sentences at once (one names the
film, the other its year) or where a sentence only refutes in the light of another. The
joined reading scores the claim against its top-k evidence joined into one premise, the
sentences grouped by document in retrieval order with each document's title in front once
("Soul Food (film): It was released by Fox 2000. It stars Vanessa Williams."):

- ``alone``: the joined reading decides (the per-sentence scores still order the citations);
- ``beside``: it votes beside the per-sentence scores, with the similarity of the best hit.

``rerank`` keeps, of a wider retrieved list, the sentences the verifier finds most decisive
(largest entailment + contradiction), so a gold sentence that the embedding ranked sixth
among near misses of the same page can still be read.
"""

from __future__ import annotations

from collections.abc import Sequence

from truthgraph.domain import EvidenceContext, EvidenceHit, JoinedEvidence, NLIScores
from truthgraph.reading.premise import titled


def joined_premise(hits: Sequence[EvidenceHit], context: EvidenceContext = "title") -> str:
    """The hits' sentences in one premise: grouped by document in the order first retrieved,
    each document's title in front once (for the contexts that read titles).

    >>> from truthgraph.domain import EvidenceHit
    >>> a = EvidenceHit(1, 7, "It was released by Fox 2000.", 0, 28, 0.9, title="Soul Food")
    >>> b = EvidenceHit(2, 8, "Fox is a studio.", 0, 16, 0.8, title="Fox")
    >>> c = EvidenceHit(3, 7, "It grossed $43 million.", 29, 52, 0.7, title="Soul Food")
    >>> joined_premise([a, b, c])
    'Soul Food: It was released by Fox 2000. It grossed $43 million. Fox: Fox is a studio.'
    """
    groups: dict[int, list[EvidenceHit]] = {}
    for hit in hits:
        groups.setdefault(hit.document_id, []).append(hit)
    with_titles = context in ("title", "sentence+title")
    parts = []
    for group in groups.values():
        text = " ".join(h.text.strip() for h in group)
        parts.append(titled(group[0].title, text) if with_titles else text)
    return " ".join(parts)


def with_joined(
    scores: Sequence[NLIScores],
    similarities: Sequence[float],
    joined: NLIScores | None,
    mode: JoinedEvidence,
) -> tuple[list[NLIScores], list[float]]:
    """The (scores, similarities) the aggregation weighs, given the joined reading's scores."""
    if joined is None or mode == "off" or not scores:
        return list(scores), list(similarities)
    best = max(similarities)
    if mode == "alone":
        return [joined], [best]
    return [*scores, joined], [*similarities, best]


def rerank(
    hits: Sequence[EvidenceHit], scores: Sequence[NLIScores], top_k: int
) -> tuple[list[EvidenceHit], list[NLIScores]]:
    """The ``top_k`` hits with the largest entailment + contradiction (ties keep retrieval
    order), with their scores, in that order."""
    order = sorted(range(len(hits)), key=lambda i: -(1.0 - scores[i].neutral))[:top_k]
    return [hits[i] for i in order], [scores[i] for i in order]

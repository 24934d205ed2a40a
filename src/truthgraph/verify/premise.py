"""The premise the verifier reads for an evidence sentence.

A sentence cut out of its document can lose what it is about ("It was released by Fox 2000
Pictures."). ``title`` puts the document's title in front of it, as FEVER systems do with the
Wikipedia page title; ``previous`` puts the sentence before it in its document in front.
"""

from __future__ import annotations

from truthgraph.domain import EvidenceContext, EvidenceHit


def premise(hit: EvidenceHit, context: EvidenceContext) -> str:
    """The text of ``hit`` with the ``context`` asked for, where the hit has it."""
    if context == "title" and hit.title and hit.title.strip():
        return f"{hit.title.strip()}: {hit.text}"
    if context == "previous" and hit.previous:
        return f"{hit.previous} {hit.text}"
    return hit.text

"""The premise the verifier reads for an evidence sentence.

A sentence cut out of its document can lose what it is about ("It was released by Fox 2000
Pictures."). ``title`` puts the document's title in front of it, as FEVER systems do with the
Wikipedia page title; ``previous`` puts the sentence before it in its document in front;
``sentence+title`` reads the sentence both alone and with its title, and the verifier averages
the two readings' scores (``mean_scores``).
"""

from __future__ import annotations

from truthgraph.domain import EvidenceContext, EvidenceHit, NLIScores


def has_title(hit: EvidenceHit) -> bool:
    """Whether ``hit``'s document has a title to put in front of it."""
    return bool(hit.title and hit.title.strip())


def titled(title: str | None, text: str) -> str:
    """``text`` with ``title`` in front, the one form the verifier is trained and run on."""
    if title and title.strip():
        return f"{title.strip()}: {text}"
    return text


def premise(hit: EvidenceHit, context: EvidenceContext) -> str:
    """The text of ``hit`` with the ``context`` asked for, where the hit has it."""
    if context == "title":
        return titled(hit.title, hit.text)
    if context == "previous" and hit.previous:
        return f"{hit.previous} {hit.text}"
    return hit.text


def mean_scores(first: NLIScores, second: NLIScores) -> NLIScores:
    """The average of two readings' probabilities (still summing to 1)."""
    return NLIScores(
        (first.entailment + second.entailment) / 2,
        (first.neutral + second.neutral) / 2,
        (first.contradiction + second.contradiction) / 2,
    )

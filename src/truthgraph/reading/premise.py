"""The premise the verifier reads for an evidence sentence.

A sentence cut out of its document can lose what it is about ("It was released by Fox 2000
Pictures."). ``title`` puts the document's title in front of it, as FEVER systems do with the
Wikipedia page title; ``previous`` puts the sentence before it in its document in front;
``sentence+title`` reads the sentence both alone and with its title, and the verifier averages
the two readings' scores (``mean_scores``); ``title+previous`` puts both in front ("Title:
previous sentence. sentence"), and ``title+referent`` the title always and the sentence before
only where the sentence opens with a word that points back to it ("It", "She", "The company"),
as a reader needs it to know what the sentence is about.
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


# words that open a sentence whose subject is named in an earlier one
_POINTING = frozenset(
    [
        "it",
        "its",
        "he",
        "his",
        "him",
        "she",
        "her",
        "they",
        "their",
        "them",
        "this",
        "these",
        "that",
        "those",
        "such",
        "both",
    ]
)
_DEFINITE = frozenset(["the", "this", "these", "that", "those", "its", "his", "her", "their"])


def points_back(text: str) -> bool:
    """Whether ``text`` opens with a pronoun or a definite noun phrase ("The company", "This
    species") whose referent a reader finds in the sentence before.

    >>> points_back("It is the highest mountain in Africa."), points_back("The Beatles split.")
    (True, False)
    """
    words = text.split(None, 2)
    if not words:
        return False
    first = words[0].strip("\"'(").lower()
    if first in _POINTING and first not in _DEFINITE:
        return True
    if first in _DEFINITE and len(words) > 1:
        second = words[1].strip("\"'(,")
        return first in _POINTING or (second[:1].islower() and second.isalpha())
    return False


def premise(hit: EvidenceHit, context: EvidenceContext) -> str:
    """The text of ``hit`` with the ``context`` asked for, where the hit has it: the sentence
    before it (``read_with``), then the title in front of both where the context names it."""
    before = read_with(hit, context)
    text = f"{before} {hit.text}" if before else hit.text
    if context in ("title", "title+previous", "title+referent"):
        return titled(hit.title, text)
    return text


def read_with(hit: EvidenceHit, context: EvidenceContext) -> str | None:
    """The sentence ``premise`` puts in front of ``hit`` under ``context`` (its document's
    sentence before it), or None where the hit is read alone or with its title only."""
    if not hit.previous:
        return None
    if context in ("previous", "title+previous"):
        return hit.previous
    if context == "title+referent" and points_back(hit.text):
        return hit.previous
    return None


def mean_scores(first: NLIScores, second: NLIScores) -> NLIScores:
    """The average of two readings' probabilities (still summing to 1)."""
    return NLIScores(
        (first.entailment + second.entailment) / 2,
        (first.neutral + second.neutral) / 2,
        (first.contradiction + second.contradiction) / 2,
    )

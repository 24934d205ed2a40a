"""What one verification call is asked to do (``VerifyOptions``), and a claim's checks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from truthgraph.domain import EvidenceContext, JoinedEvidence, Strategy, check_characters
from truthgraph.errors import InvalidInputError
from truthgraph.verify.aggregate import Decisive


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """Per-call verification options."""

    top_k: int = 5
    strategy: Strategy = Strategy.WEIGHTED_VOTE
    threshold: float = 0.6
    min_similarity: float = 0.0
    ef_search: int = 40
    probes: int = 10
    max_claim_chars: int = 2000
    persist: bool = True
    evidence_context: EvidenceContext = "title"
    hybrid: bool = False  # fuse vector and full-text search (reciprocal rank fusion)
    joined_evidence: JoinedEvidence = "off"  # also read the top-k joined (verify/joined.py)
    rerank_depth: int = 0  # score this many hits, keep the top_k most decisive (0: off)
    decisive: Decisive = Decisive()  # the thresholds of the decisive strategy


def clean_claim(claim: str, max_chars: int) -> str:
    """The claim with its whitespace collapsed; InvalidInputError if empty, too long or not
    clean text."""
    if not isinstance(claim, str):
        raise InvalidInputError("a claim must be text")
    check_characters(claim, "the claim")
    text = " ".join(claim.split())
    if not text:
        raise InvalidInputError("the claim is empty")
    if len(text) > max_chars:
        raise InvalidInputError(
            f"the claim is {len(text)} characters long; the limit is {max_chars}"
        )
    return text


def replace_options(
    options: VerifyOptions,
    *,
    top_k: int | None = None,
    strategy: Strategy | str | None = None,
    persist: bool | None = None,
    ef_search: int | None = None,
    probes: int | None = None,
) -> VerifyOptions:
    """``options`` with some replaced (None keeps the value), each checked; see
    ``Verifier.options_with``."""
    for name, value in (("ef_search", ef_search), ("probes", probes)):
        if value is not None and not 1 <= value <= 1000:
            raise InvalidInputError(f"{name} must be between 1 and 1000")
    if ef_search is not None:
        options = replace(options, ef_search=ef_search)
    if probes is not None:
        options = replace(options, probes=probes)
    if top_k is not None:
        if not 1 <= top_k <= 200:
            raise InvalidInputError("top_k must be between 1 and 200")
        options = replace(options, top_k=top_k)
    if strategy is not None:
        try:
            options = replace(options, strategy=Strategy(strategy))
        except ValueError as exc:
            raise InvalidInputError(
                f"unknown strategy {strategy!r}; use one of " + ", ".join(s.value for s in Strategy)
            ) from exc
    if persist is not None:
        options = replace(options, persist=persist)
    return options

"""Extractors propose claims per sentence; ``extract`` keeps those that map to the source.

An extractor is anything with a ``name`` and ``propose(text, sentences) -> [Proposal]``. Two
are built in and offline: ``DecomposingExtractor`` (check-worthiness rules, then the rules of
``decompose``) and ``SentenceExtractor`` (check-worthiness rules, each sentence one claim).
``truthgraph.extract.llm.ChatExtractor`` asks an OpenAI-compatible chat endpoint instead.
Whatever proposes them, claims go through ``spans.map_claim``: those that do not map back to
the source are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from truthgraph.domain import Sentence
from truthgraph.extract.decompose import decompose, subject_of
from truthgraph.extract.spans import map_claim
from truthgraph.extract.types import CheckedSentence, Extraction, Proposal
from truthgraph.extract.worthiness import skip_reason
from truthgraph.reading.sentences import split_sentences


class ClaimExtractor(Protocol):
    """Proposes each sentence's atomic claims, or why it is not check-worthy."""

    @property
    def name(self) -> str: ...

    def propose(self, text: str, sentences: Sequence[Sentence]) -> list[Proposal]: ...


class SentenceExtractor:
    """Each check-worthy sentence is one claim, whole (the baseline of decision 0013)."""

    name = "sentence"

    def propose(self, text: str, sentences: Sequence[Sentence]) -> list[Proposal]:
        proposals = []
        for i, sentence in enumerate(sentences):
            reason = skip_reason(sentence.text)
            claims = () if reason else (sentence.text,)
            proposals.append(Proposal(i, claims, reason))
        return proposals


class DecomposingExtractor:
    """The default: check-worthiness rules, then ``decompose`` (no model, no network)."""

    name = "builtin"

    def propose(self, text: str, sentences: Sequence[Sentence]) -> list[Proposal]:
        proposals = []
        referent: str | None = None
        for i, sentence in enumerate(sentences):
            reason = skip_reason(sentence.text)
            if reason is not None:
                proposals.append(Proposal(i, (), reason))
                continue
            proposals.append(Proposal(i, tuple(decompose(sentence.text, referent))))
            own = subject_of(sentence.text)
            first = sentence.text.split(" ", 1)[0].lower()
            if first not in {"he", "she", "it", "they", "his", "her", "its", "their"}:
                referent = own
        return proposals


def extract(text: str, extractor: ClaimExtractor) -> Extraction:
    """Split ``text`` into sentences, ask ``extractor`` for claims, keep those that map."""
    sentences = split_sentences(text)
    proposals = {p.sentence: p for p in extractor.propose(text, sentences)}
    checked: list[CheckedSentence] = []
    for i, sentence in enumerate(sentences):
        proposal = proposals.get(i, Proposal(i, (), "not proposed"))
        mapped, unmapped = [], []
        for claim in dict.fromkeys(proposal.claims):
            found = map_claim(claim, text, sentence, i)
            if found is None:
                unmapped.append(claim)
            else:
                mapped.append(found)
        skip = proposal.skip
        if skip is None and not mapped:
            skip = "no claim mapped" if unmapped else "no claim"
        checked.append(CheckedSentence(i, sentence, skip, tuple(mapped), tuple(unmapped)))
    return Extraction(text=text, extractor=extractor.name, sentences=tuple(checked))

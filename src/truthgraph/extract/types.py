"""Value types of extraction: atomic claims mapped to spans, sentences, the sentence label."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from truthgraph.domain import Sentence


class SentenceLabel(StrEnum):
    """A sentence's verdict, rolled up from its claims' verdicts (see ``rollup``)."""

    SUPPORTED = "SUPPORTED"
    REFUTED = "REFUTED"
    PARTLY_SUPPORTED = "PARTLY_SUPPORTED"
    NOT_ENOUGH_INFO = "NOT_ENOUGH_INFO"


@dataclass(frozen=True, slots=True)
class AtomicClaim:
    """One fact of a sentence, mapped back to the source.

    ``pieces`` are the spans of the source its words were found in (``source[s:e]``), in the
    order of the claim; ``start``/``end`` cover the pieces inside its sentence. A piece may lie
    before the sentence: the referent of a resolved pronoun.
    """

    text: str
    sentence: int  # index into Extraction.sentences
    start: int
    end: int
    pieces: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """What an extractor proposes for one sentence: its claims, or why it is not checked."""

    sentence: int
    claims: tuple[str, ...] = ()
    skip: str | None = None  # "question", "opinion", "heading", ... when not check-worthy


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    """A sentence of the source, whether it is checked, and its claims that map back."""

    index: int
    sentence: Sentence
    skip: str | None
    claims: tuple[AtomicClaim, ...]
    unmapped: tuple[str, ...] = ()  # proposed claims that did not map to the source: dropped

    @property
    def checked(self) -> bool:
        return self.skip is None and bool(self.claims)


@dataclass(frozen=True, slots=True)
class Extraction:
    """A text split into sentences and atomic claims, by one extractor."""

    text: str
    extractor: str
    sentences: tuple[CheckedSentence, ...]

    @property
    def claims(self) -> list[AtomicClaim]:
        return [c for s in self.sentences for c in s.claims]

    @property
    def unmapped(self) -> int:
        """Proposed claims dropped because they did not map back to the source."""
        return sum(len(s.unmapped) for s in self.sentences)

    @property
    def checked(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.checked]

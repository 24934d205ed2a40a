"""Map a proposed claim back to the source, or refuse it: no extractor may invent text.

A claim maps when every word of it is a word of its sentence, or of the text just before the
sentence (the referent of a resolved pronoun), compared without case. The only words that may
be added are the copulas ``is``, ``are``, ``was``, ``were`` and the possessive ``'s``, which
join a subject to an appositive or a resolved possessive pronoun. At least one word must come
from the sentence itself. A claim that does not map is dropped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from truthgraph.domain import Sentence
from truthgraph.extract.types import AtomicClaim

_WORD = re.compile(r"\w+(?:[.,\-]\w+)*")
GLUE = frozenset({"is", "are", "was", "were", "s"})
CONTEXT_CHARS = 400  # how far before a sentence a referent may be found


def words(text: str, offset: int = 0) -> Iterator[tuple[str, int, int]]:
    """The words of ``text`` (numbers such as ``1,200.5`` are one word), lower-cased, with
    their offsets plus ``offset``."""
    for match in _WORD.finditer(text):
        yield match.group().lower(), match.start() + offset, match.end() + offset


def _merge(spans: list[tuple[int, int]], source: str) -> tuple[tuple[int, int], ...]:
    """Adjacent word spans (only white space or punctuation between them) joined, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and merged[-1][1] <= start and not source[merged[-1][1] : start].strip(" ,"):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def map_claim(
    claim: str, source: str, sentence: Sentence, index: int, context_chars: int = CONTEXT_CHARS
) -> AtomicClaim | None:
    """The claim with the spans of ``source`` it was taken from, or None if it does not map.

    >>> text = "Ada Lovelace wrote notes and translated a paper."
    >>> from truthgraph.reading.sentences import split_sentences
    >>> map_claim("Ada Lovelace translated a paper.", text, split_sentences(text)[0], 0).pieces
    ((0, 12), (28, 48))
    """
    own = list(words(sentence.text, sentence.start))
    context_start = max(0, sentence.start - context_chars)
    context = list(words(source[context_start : sentence.start], context_start))
    claim_words = [w for w, _, _ in words(claim)]
    if not claim_words:
        return None
    cursor = 0
    spans: list[tuple[int, int]] = []
    inside: list[tuple[int, int]] = []
    for word in claim_words:
        found = _find(own, word, cursor)
        if found is not None:
            cursor = found + 1
            spans.append(own[found][1:])
            inside.append(own[found][1:])
            continue
        before = [i for i, (w, _, _) in enumerate(context) if w == word]
        if before:
            spans.append(context[before[-1]][1:])
        elif word not in GLUE:
            return None
    if not inside:
        return None
    pieces = _merge(spans, source)
    return AtomicClaim(
        text=" ".join(claim.split()),
        sentence=index,
        start=min(s for s, _ in inside),
        end=max(e for _, e in inside),
        pieces=pieces,
    )


def _find(own: list[tuple[str, int, int]], word: str, cursor: int) -> int | None:
    """The next occurrence of ``word`` from ``cursor``, else any earlier one (claims may
    reorder the sentence's words), else None."""
    for i in range(cursor, len(own)):
        if own[i][0] == word:
            return i
    for i in range(cursor):
        if own[i][0] == word:
            return i
    return None

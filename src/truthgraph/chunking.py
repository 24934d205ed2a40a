"""Split a document into sentences with character offsets. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pysbd

from truthgraph.domain import RawDocument, Sentence

MAX_SENTENCE_CHARS = 1000
MIN_SENTENCE_CHARS = 3
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(start: int, end: int, text: str) -> Iterator[tuple[int, int]]:
    """Cut a span longer than MAX_SENTENCE_CHARS at white space."""
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        yield start, cut
        start, end = _strip_span(text, cut, end)
    yield start, end


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; each keeps its offsets, so ``text[s.start:s.end] == s.text``.

    Paragraph breaks (blank lines) always end a sentence, and very long runs without
    sentence punctuation are cut at white space.

    >>> [s.text for s in split_sentences("Paris is in France. It is large.")]
    ['Paris is in France.', 'It is large.']
    """
    sentences: list[Sentence] = []
    for para_start, para_end in _paragraphs(text):
        paragraph = text[para_start:para_end]
        if not paragraph.strip():
            continue
        for span in _segmenter().segment(paragraph):
            start, end = _strip_span(text, para_start + span.start, para_start + span.end)
            for piece_start, piece_end in _cut_long(start, end, text):
                if piece_end - piece_start >= MIN_SENTENCE_CHARS:
                    sentences.append(Sentence(text[piece_start:piece_end], piece_start, piece_end))
    return sentences


def split_document(document: RawDocument) -> list[Sentence]:
    """``split_sentences`` of the document's text; a PDF's pages are split one by one, so no
    sentence spans two pages, and each sentence keeps its page number."""
    if not document.pages:
        return split_sentences(document.text)
    text = document.text
    bounds = [*document.pages, len(text)]
    sentences: list[Sentence] = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False), start=1):
        for s in split_sentences(text[start:end]):
            sentences.append(Sentence(s.text, s.start + start, s.end + start, page=number))
    return sentences

"""Split a document into sentences with character offsets. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import pysbd

from truthgraph.domain import RawDocument, Sentence
from truthgraph.errors import LimitExceededError
from truthgraph.settings import LimitsSettings

MAX_SENTENCE_CHARS = 1000
MIN_SENTENCE_CHARS = 3
# pysbd rewrites its whole input once per abbreviation it finds, so its time grows with the
# square of the text's length. A paragraph longer than this is fed to it in windows of this
# size, which keeps splitting linear in the length of the text (issue 33).
SEGMENT_WINDOW_CHARS = 2000
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


def _segment(
    paragraph: str, checkpoint: Callable[[], None] | None = None
) -> Iterator[tuple[int, int]]:
    """pysbd's sentence spans of ``paragraph`` (offsets into it), in windows of at most
    SEGMENT_WINDOW_CHARS: each window's sentences but its last are kept, and the next window
    starts where that last one did (it may have been cut short by the window's end). A
    window holding a single unfinished sentence is cut at its last white space (such a run is
    cut at white space later anyway, see ``_cut_long``)."""
    if len(paragraph) <= SEGMENT_WINDOW_CHARS:
        for span in _segmenter().segment(paragraph):
            yield span.start, span.end
        return
    start = 0
    while start < len(paragraph):
        if checkpoint is not None:
            checkpoint()
        end = min(start + SEGMENT_WINDOW_CHARS, len(paragraph))
        spans = [
            (start + s.start, start + s.end) for s in _segmenter().segment(paragraph[start:end])
        ]
        if end == len(paragraph) or not spans:
            yield from spans
            return
        if len(spans) > 1:
            yield from spans[:-1]
            start = spans[-1][0]
            continue
        cut = paragraph.rfind(" ", start + 1, end)
        if cut <= start:
            cut = end
        yield start, cut
        start = cut


def split_sentences(text: str, checkpoint: Callable[[], None] | None = None) -> list[Sentence]:
    """Split ``text`` into sentences; each keeps its offsets, so ``text[s.start:s.end] == s.text``.

    Paragraph breaks (blank lines) always end a sentence, and very long runs without
    sentence punctuation are cut at white space. ``checkpoint()``, when given, is called
    before each paragraph and each window of a long one (it may stop the work by raising).

    >>> [s.text for s in split_sentences("Paris is in France. It is large.")]
    ['Paris is in France.', 'It is large.']
    """
    sentences: list[Sentence] = []
    for para_start, para_end in _paragraphs(text):
        paragraph = text[para_start:para_end]
        if not paragraph.strip():
            continue
        if checkpoint is not None:
            checkpoint()
        for span_start, span_end in _segment(paragraph, checkpoint):
            start, end = _strip_span(text, para_start + span_start, para_start + span_end)
            for piece_start, piece_end in _cut_long(start, end, text):
                if piece_end - piece_start >= MIN_SENTENCE_CHARS:
                    sentences.append(Sentence(text[piece_start:piece_end], piece_start, piece_end))
    return sentences


def check_text_limits(text: str, limits: LimitsSettings, where: str = "the document") -> None:
    """LimitExceededError if ``text`` is longer than ``limits.max_document_chars`` or holds a
    paragraph longer than ``limits.max_paragraph_chars`` (checked before any splitting)."""
    if len(text) > limits.max_document_chars:
        raise LimitExceededError(
            f"{where}: the text is {len(text)} characters; the limit is "
            f"{limits.max_document_chars} (TRUTHGRAPH_LIMITS__MAX_DOCUMENT_CHARS)"
        )
    for start, end in _paragraphs(text):
        if end - start > limits.max_paragraph_chars:
            raise LimitExceededError(
                f"{where}: a paragraph of {end - start} characters (at character {start}); the "
                f"limit is {limits.max_paragraph_chars} (TRUTHGRAPH_LIMITS__MAX_PARAGRAPH_CHARS)"
            )


def check_sentence_limit(count: int, limits: LimitsSettings, where: str = "the document") -> None:
    """LimitExceededError if a document of ``count`` sentences is over the limit."""
    if count > limits.max_document_sentences:
        raise LimitExceededError(
            f"{where}: {count} sentences; the limit is {limits.max_document_sentences} "
            "(TRUTHGRAPH_LIMITS__MAX_DOCUMENT_SENTENCES)"
        )


def split_document(
    document: RawDocument, checkpoint: Callable[[], None] | None = None
) -> list[Sentence]:
    """``split_sentences`` of the document's text; a PDF's pages are split one by one, so no
    sentence spans two pages, and each sentence keeps its page number."""
    if not document.pages:
        return split_sentences(document.text, checkpoint)
    text = document.text
    bounds = [*document.pages, len(text)]
    sentences: list[Sentence] = []
    for number, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False), start=1):
        for s in split_sentences(text[start:end], checkpoint):
            sentences.append(Sentence(s.text, s.start + start, s.end + start, page=number))
    return sentences

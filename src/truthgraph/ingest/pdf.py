"""A PDF's text layer, page by page, with pypdf: each page's text keeps its page number, so a
citation can say "p. 4". A PDF without a text layer (a scan) is refused, not stored empty."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import Counter
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from truthgraph.domain import RawDocument, blank_controls
from truthgraph.errors import LimitExceededError, SourceError
from truthgraph.settings import LimitsSettings

# "12", "Page 3", "4 of 20", "- 5 -", and front-matter numerals up to xxxix
_PAGE_NUMBER = re.compile(
    r"^[-\u2013\s]*(page\s+)?(\d{1,4}|(?=[ivx])x{0,3}(ix|iv|v?i{0,3}))(\s+of\s+\d{1,4})?"
    r"[-\u2013\s]*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "\u201d", ")")
_BULLETS = ("\u2022", "\u25aa", "\u25cf", "- ", "\u2013 ", "* ")
_EDGE = 2  # page-number lines dropped at most at each end of a page
_SHORT = 0.7  # a line shorter than this share of the page's median line ends its paragraph


def _edge_key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers at a page's top or bottom, and running heads and feet: a page's first
    (or last) line that is, numbers aside, the first (or last) line of at least half of the
    pages, and of three or more."""

    def trimmed(lines: list[str]) -> list[str]:
        kept = [line for line in lines if line]
        for _ in range(_EDGE):
            if kept and _PAGE_NUMBER.match(kept[0]):
                kept.pop(0)
            if kept and _PAGE_NUMBER.match(kept[-1]):
                kept.pop()
        return kept

    bare = [trimmed(lines) for lines in pages]
    least = max(3, (len(pages) + 1) // 2)
    heads = Counter(_edge_key(lines[0]) for lines in bare if lines)
    feet = Counter(_edge_key(lines[-1]) for lines in bare if lines)
    cleaned = []
    for lines in bare:
        kept = list(lines)
        if kept and heads[_edge_key(kept[0])] >= least:
            kept.pop(0)
        if kept and feet[_edge_key(kept[-1])] >= least:
            kept.pop()
        cleaned.append(trimmed(kept))
    return cleaned


def _page_lines(raw: str) -> list[str]:
    return [" ".join(line.replace("\u00a0", " ").split()) for line in raw.splitlines()]


def _page_text(lines: list[str]) -> str:
    """A page's lines joined into paragraphs: a line break inside a paragraph becomes a space,
    a word hyphenated at a line end is joined, and a short line (a heading, a paragraph's last
    line) ends its paragraph when it ends a sentence or the next line starts like a new one.
    Paragraphs are separated by a blank line."""
    widths = sorted(len(line) for line in lines if line)
    median = widths[len(widths) // 2] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for number, line in enumerate(lines):
        if not line or line.startswith(_BULLETS):
            if current:
                paragraphs.append(current)
            current = ""
            if not line:
                continue
        if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        following = lines[number + 1] if number + 1 < len(lines) else ""
        starts_anew = following[:1].isupper() or following[:1].isdigit()
        if len(line) < _SHORT * median and (line.endswith(_SENTENCE_END) or starts_anew):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def _metadata_value(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _read_pages(reader: PdfReader, where: str, limits: LimitsSettings) -> list[list[str]]:
    count = len(reader.pages)
    if count > limits.max_pdf_pages:
        raise LimitExceededError(
            f"{where}: the PDF has {count} pages; the limit is {limits.max_pdf_pages} "
            "(TRUTHGRAPH_LIMITS__MAX_PDF_PAGES)"
        )
    chars = 0
    pages: list[list[str]] = []
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        if size > 2 * limits.max_document_chars:
            raise LimitExceededError(
                f"{where}: page {number}'s content is {size} bytes, more than twice the limit "
                f"of {limits.max_document_chars} characters (TRUTHGRAPH_LIMITS__MAX_DOCUMENT_CHARS)"
            )
        text = page.extract_text() or ""
        chars += len(text)
        if chars > limits.max_document_chars:
            raise LimitExceededError(
                f"{where}: the text is over {limits.max_document_chars} characters by page "
                f"{number} (TRUTHGRAPH_LIMITS__MAX_DOCUMENT_CHARS)"
            )
        pages.append(_page_lines(text))
    return pages


def pdf_document(
    data: bytes,
    *,
    where: str,
    source: str,
    origin: str | None,
    fetched_at: str,
    url: str | None = None,
    fallback_title: str | None = None,
    limits: LimitsSettings | None = None,
) -> RawDocument:
    """One document of the PDF's text; ``pages`` holds where each page's text starts.

    Pages without text are skipped (and listed in the metadata); SourceError if no page has
    any, if the PDF cannot be parsed, or if it is encrypted with a password.
    LimitExceededError (before the text is read) if it has more pages than
    ``limits.max_pdf_pages``, if a page's content stream is over twice
    ``limits.max_document_chars``, or as soon as its text is longer than that.
    """
    limits = limits or LimitsSettings()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files chatter
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(f"{where}: the PDF is encrypted with a password")
        raw_pages = _read_pages(reader, where, limits)
        info = reader.metadata
    except (SourceError, LimitExceededError):
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(f"{where}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not raw_pages:
        raise SourceError(f"{where}: the PDF has no pages")
    text = ""
    starts: list[int] = []
    empty: list[int] = []
    for number, lines in enumerate(_without_running_lines(raw_pages), start=1):
        page = _page_text(lines)
        if text:
            text += "\n\n"
        starts.append(len(text))
        if page:
            text += page
        else:
            empty.append(number)
    if len(empty) == len(raw_pages):
        raise SourceError(
            f"{where}: no text layer on any of its {len(raw_pages)} page(s) "
            "(a scanned PDF? run OCR on it first)"
        )
    metadata: dict[str, Any] = {
        "media_type": "application/pdf",
        "page_count": len(raw_pages),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if empty:
        metadata["pages_without_text"] = empty
    if info is not None:
        for key, value in (
            ("author", info.author),
            ("subject", info.subject),
            ("date", info.get("/CreationDate")),
        ):
            if (clean := _metadata_value(value)) is not None:
                metadata[key] = clean
    if url:
        metadata["fetched_url"] = url
    title = _metadata_value(info.title) if info is not None else None
    title = title or fallback_title
    return RawDocument(
        text=blank_controls(text),
        title=blank_controls(title) if title is not None else None,
        source=source,
        url=url,
        metadata={k: blank_controls(v) if isinstance(v, str) else v for k, v in metadata.items()},
        origin=origin,
        fetched_at=fetched_at,
        pages=tuple(starts),
    )

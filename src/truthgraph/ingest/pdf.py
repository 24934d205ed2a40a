"""A PDF's text layer, page by page, with pypdf: each page's text keeps its page number, so a
citation can say "p. 4". A PDF without a text layer (a scan) is refused, not stored empty."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from truthgraph.domain import RawDocument
from truthgraph.errors import SourceError

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _page_text(raw: str) -> str:
    """A page's lines joined into running text: a word hyphenated at a line end is joined, a
    line break inside a paragraph becomes a space, and a blank line stays a paragraph break."""
    text = _HYPHEN_BREAK.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = re.split(r"\n\s*\n", text)
    joined = (_SPACES.sub(" ", _LINE_BREAK.sub(" ", p)).strip() for p in paragraphs)
    return "\n\n".join(p for p in joined if p)


def _metadata_value(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def pdf_document(
    data: bytes,
    *,
    where: str,
    source: str,
    origin: str | None,
    fetched_at: str,
    url: str | None = None,
    fallback_title: str | None = None,
) -> RawDocument:
    """One document of the PDF's text; ``pages`` holds where each page's text starts.

    Pages without text are skipped (and listed in the metadata); SourceError if no page has
    any, if the PDF cannot be parsed, or if it is encrypted with a password.
    """
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files chatter
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceError(f"{where}: the PDF is encrypted with a password")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except SourceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(f"{where}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not raw_pages:
        raise SourceError(f"{where}: the PDF has no pages")
    text = ""
    starts: list[int] = []
    empty: list[int] = []
    for number, raw in enumerate(raw_pages, start=1):
        page = _page_text(raw)
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
    return RawDocument(
        text=text,
        title=title or fallback_title,
        source=source,
        url=url,
        metadata=metadata,
        origin=origin,
        fetched_at=fetched_at,
        pages=tuple(starts),
    )

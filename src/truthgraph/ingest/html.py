"""A web page's main text and metadata (title, author, date, canonical URL) with trafilatura:
navigation, boilerplate, comments and scripts are left out."""

from __future__ import annotations

import codecs
import configparser
import hashlib
import html
import re
from functools import lru_cache
from typing import Any

import trafilatura
from trafilatura.settings import use_config

from truthgraph.domain import RawDocument, blank_controls
from truthgraph.errors import SourceError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
MIN_PROSE_WORDS = 4
_PILCROW = "\u00b6"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_html(data: bytes, where: str, declared: str | None = None) -> str:
    """The page's text: by its byte-order mark, else the charset the server declared, else
    the one its ``<meta>`` declares, else UTF-8. SourceError if the bytes do not decode."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            declared, source = encoding, "its byte-order mark"
            break
    else:
        if declared:
            source = "the server"
        else:
            match = _META_CHARSET.search(data[:4096])
            declared = match.group(1).decode("ascii") if match else None
            source = "its <meta> tag"
    if declared is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{where}: not UTF-8 (byte {exc.start}) and no charset is declared"
            ) from exc
    try:
        return data.decode(declared)
    except LookupError as exc:
        raise SourceError(f"{where}: unknown charset {declared!r} declared by {source}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{where}: not valid {declared} (byte {exc.start}), the charset declared by {source}"
        ) from exc


# Below this many characters of main text, trafilatura tries its fallback extractors, which
# return a short article as one run-on paragraph (heading and byline glued to the first
# sentence); 50 keeps short articles' structure and still falls back on near-empty results.
MIN_EXTRACTED_CHARS = 50


@lru_cache(maxsize=1)
def _config() -> configparser.ConfigParser:
    config = use_config()
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = str(MIN_EXTRACTED_CHARS)
    return config


def _paragraphs(text: str) -> str:
    """trafilatura puts one paragraph (or heading, or list item) a line; a blank line between
    them keeps each apart when the text is split into sentences. A heading's permalink sign
    (Sphinx and others end headings with a pilcrow) is dropped."""
    lines = (line.strip().rstrip(_PILCROW).rstrip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _title(extracted: str | None, page: str) -> str | None:
    """trafilatura's title, unless it is not part of the page's ``<title>`` (it sometimes takes
    the first heading, "Abstract" say, for the title): then the ``<title>`` itself."""
    match = _TITLE.search(page)
    declared = " ".join(html.unescape(match.group(1)).split()) if match else ""
    found = " ".join((extracted or "").split()).rstrip(_PILCROW).rstrip()
    if declared and (not found or found not in declared):
        return declared
    return found or None


def _has_prose(text: str) -> bool:
    """Whether the extracted text holds a line of running text (four words or more), not only
    what a page without content leaves: menu labels, a button, a title."""
    return any(len(line.split()) >= MIN_PROSE_WORDS for line in text.splitlines())


def html_document(
    data: bytes,
    *,
    where: str,
    source: str,
    origin: str | None,
    fetched_at: str,
    url: str | None = None,
    charset: str | None = None,
    fallback_title: str | None = None,
) -> RawDocument:
    """One document of a page's main text. ``url`` is where it was fetched from (its canonical
    URL, where the page declares one, wins). SourceError if the page has no main text."""
    page = decode_html(data, where, charset)
    try:
        extracted: Any = trafilatura.bare_extraction(
            page,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            config=_config(),
        )
    except Exception as exc:  # lxml and trafilatura raise several kinds on broken markup
        raise SourceError(f"{where}: cannot parse the page ({type(exc).__name__})") from exc
    text = _paragraphs(extracted.text or "") if extracted is not None else ""
    if not _has_prose(text):
        raise SourceError(f"{where}: no main text found in the page (empty, or built by scripts)")
    metadata: dict[str, Any] = {
        key: value
        for key in ("author", "date", "sitename", "description", "hostname")
        if (value := getattr(extracted, key, None))
    }
    canonical = getattr(extracted, "url", None) or None
    if canonical and canonical != url:
        metadata["canonical_url"] = canonical
    metadata.update(
        media_type="text/html",
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    if url:
        metadata["fetched_url"] = url
    title = _title(getattr(extracted, "title", None), page) or fallback_title
    return RawDocument(
        text=blank_controls(text),
        title=blank_controls(title) if title is not None else None,
        source=source,
        url=canonical or url,
        metadata={k: blank_controls(v) if isinstance(v, str) else v for k, v in metadata.items()},
        origin=origin,
        fetched_at=fetched_at,
    )

"""Read what ``truthgraph check`` is given: a file (txt, md, html, pdf), a URL, or stdin."""

from __future__ import annotations

from pathlib import Path

from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError
from truthgraph.ingest.fetch import is_url
from truthgraph.ingest.sources import page_or_pdf_of, read_page_or_pdf, read_url
from truthgraph.settings import FetchSettings, LimitsSettings

CHECK_SUFFIXES = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped), or DatasetError naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{where}: not UTF-8 text (byte {exc.start})") from exc


def read_source(
    source: str,
    fetch: FetchSettings,
    stdin: bytes | None = None,
    limits: LimitsSettings | None = None,
) -> RawDocument:
    """The document to check: ``-`` reads ``stdin``; an http(s) URL is fetched and read as
    HTML or PDF; a file is read by its suffix. Unreadable input raises DatasetError."""
    if source == "-":
        return RawDocument(text=decode_text(stdin or b"", "stdin"), source="stdin")
    if is_url(source):
        return read_url(source, fetch, limits=limits)
    path = Path(source)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    kind = CHECK_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DatasetError(
            f"{path}: unsupported file type {path.suffix or '(none)'}; "
            f"use one of {', '.join(sorted(CHECK_SUFFIXES))}, a URL or - for stdin"
        )
    if kind in {"html", "pdf"}:
        return read_page_or_pdf(path, kind, limits=limits)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
    return RawDocument(text=decode_text(data, str(path)), title=path.stem, source=path.name)


def read_upload_source(name: str, data: bytes, limits: LimitsSettings | None = None) -> RawDocument:
    """An uploaded file to check (``name``'s suffix one of CHECK_SUFFIXES), read from memory;
    a page or PDF gets the origin ``upload:<name>``."""
    kind = CHECK_SUFFIXES.get(Path(name).suffix.lower())
    if kind in {"html", "pdf"}:
        return page_or_pdf_of(data, kind, name, f"upload:{name}", limits)
    return RawDocument(text=decode_text(data, name), title=Path(name).stem, source=name)

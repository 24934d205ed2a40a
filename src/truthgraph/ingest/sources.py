"""Readers that turn files (JSONL, CSV, plain text, Markdown, HTML, PDF) and ``http(s)://``
URLs into ``RawDocument`` objects."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from truthgraph.data.files import read_text_file
from truthgraph.data.jsonl import objects_in, read_objects
from truthgraph.domain import RawDocument
from truthgraph.errors import DatasetError, InvalidInputError, SourceError
from truthgraph.ingest.fetch import fetch, is_url
from truthgraph.ingest.html import html_document
from truthgraph.ingest.pdf import pdf_document
from truthgraph.settings import FetchSettings, LimitsSettings

SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
_RESERVED = {"id", "text", "title", "source", "url"}
_TEXT_COLUMNS = ("text", "content", "body", "abstract")


def discover(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into the supported files below them; reject unsupported or missing paths."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise DatasetError(
                    f"{path}: unsupported file type {path.suffix or '(none)'}; "
                    f"use one of {', '.join(sorted(SUFFIXES))}"
                )
            files.append(path)
        else:
            raise DatasetError(f"{path}: no such file or folder")
    return files


def _decode(data: bytes, where: str) -> str:
    """``read_text_file`` of bytes: UTF-8, with universal newlines."""
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{where}: not UTF-8 text (byte {exc.start})") from exc


def _document(row: dict[str, Any], path: Path, where: str) -> RawDocument:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f'{where}: missing or empty "text"')
    title = row.get("title")
    try:
        return RawDocument(
            text=text,
            title=str(title) if title is not None else None,
            source=str(row.get("source") or path.name),
            url=str(row["url"]) if row.get("url") else None,
            external_id=str(row["id"]) if row.get("id") is not None else None,
            metadata={k: v for k, v in row.items() if k not in _RESERVED},
        )
    except InvalidInputError as exc:
        raise DatasetError(f"{where}: {exc}") from exc


def read_jsonl(path: Path) -> Iterator[RawDocument]:
    for number, row in read_objects(path):
        yield _document(row, path, f"{path}:{number}")


def read_csv(path: Path) -> Iterator[RawDocument]:
    return _csv_documents(read_text_file(path), path)


def _csv_documents(text: str, path: Path) -> Iterator[RawDocument]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    text_column = next((c for c in _TEXT_COLUMNS if c in columns), None)
    if text_column is None:
        raise DatasetError(f"{path}: no text column (expected one of {', '.join(_TEXT_COLUMNS)})")
    try:
        for number, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): v for k, v in raw.items() if k is not None}
            row["text"] = row.pop(text_column)
            yield _document(row, path, f"{path}:{number}")
    except csv.Error as exc:
        raise DatasetError(f"{path}: malformed CSV ({exc})") from exc


def read_text(path: Path) -> Iterator[RawDocument]:
    """A whole plain-text or Markdown file is one document; a Markdown '# heading' is its title."""
    return _text_documents(read_text_file(path), path)


def _text_documents(text: str, path: Path) -> Iterator[RawDocument]:
    if not text.strip():
        return
    title = path.stem
    if path.suffix.lower() in {".md", ".markdown"}:
        for line in text.splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
    try:
        yield RawDocument(text=text, title=title, source=path.name)
    except InvalidInputError as exc:
        raise DatasetError(f"{path}: {exc}") from exc


def now() -> str:
    """The time a source is read, as stored with it (ISO 8601, UTC, whole seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from exc


def read_page_or_pdf(
    path: Path, kind: str, origin: str | None = None, limits: LimitsSettings | None = None
) -> RawDocument:
    """A local HTML or PDF file as one document; its origin (the key of its versions) is its
    absolute path unless given."""
    return page_or_pdf_of(_read_bytes(path), kind, str(path), origin or str(path.resolve()), limits)


def page_or_pdf_of(
    data: bytes, kind: str, name: str, origin: str, limits: LimitsSettings | None = None
) -> RawDocument:
    """An HTML page or a PDF held in memory as one document (``name`` is its file name or
    path: errors name it, and it is the document's source)."""
    path = Path(name)
    common: dict[str, Any] = {
        "where": name,
        "source": path.name,
        "origin": origin,
        "fetched_at": now(),
        "fallback_title": path.stem,
    }
    if kind == "pdf":
        return pdf_document(data, limits=limits, **common)
    return html_document(data, **common)


def documents_of(
    name: str, data: bytes, origin: str, limits: LimitsSettings | None = None
) -> list[RawDocument]:
    """The documents of an uploaded file, read from memory (no temporary file): its kind by
    the suffix of ``name``, which errors name. A page or PDF gets the origin ``origin``."""
    path = Path(name)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind in {"html", "pdf"}:
        return [page_or_pdf_of(data, kind, name, origin, limits)]
    if kind == "jsonl":
        return [_document(row, path, f"{name}:{number}") for number, row in objects_in(data, name)]
    if kind == "csv":
        return list(_csv_documents(_decode(data, name), path))
    if kind in {"text", "markdown"}:
        return list(_text_documents(_decode(data, name), path))
    raise DatasetError(f"{name}: unsupported file type")


def read_url(
    url: str,
    settings: FetchSettings,
    max_bytes: int | None = None,
    allow_private: bool = True,
    limits: LimitsSettings | None = None,
) -> RawDocument:
    """Fetch ``url`` and read it as HTML or PDF, chosen by its content type (see ``fetch``)."""
    fetched = fetch(url, settings, max_bytes, allow_private)
    name = fetched.final_url.rstrip("/").rsplit("/", 1)[-1] or fetched.final_url
    common: dict[str, Any] = {
        "where": fetched.url,
        "source": fetched.url,
        "origin": fetched.url,
        "fetched_at": fetched.fetched_at,
        "url": fetched.final_url,
        "fallback_title": name,
    }
    if fetched.kind == "pdf":
        return pdf_document(fetched.body, limits=limits, **common)
    return html_document(fetched.body, charset=fetched.charset, **common)


def read_url_list(path: Path) -> list[str]:
    """The URLs of a ``--urls`` file: one a line; blank lines and ``#`` comments are skipped."""
    urls: list[str] = []
    for number, line in enumerate(read_text_file(path).splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if not is_url(entry):
            raise DatasetError(f"{path}:{number}: not an http(s) URL: {entry[:200]}")
        urls.append(entry)
    return urls


def read_documents(path: Path, limits: LimitsSettings | None = None) -> Iterator[RawDocument]:
    """The documents of one supported file (a PDF within ``limits``)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind in {"html", "pdf"}:
        yield read_page_or_pdf(path, kind, limits=limits)
    elif kind == "jsonl":
        yield from read_jsonl(path)
    elif kind == "csv":
        yield from read_csv(path)
    elif kind in {"text", "markdown"}:
        yield from read_text(path)
    else:
        raise DatasetError(f"{path}: unsupported file type")

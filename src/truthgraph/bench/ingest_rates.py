"""``truthgraph bench sources``: ingestion rates of web pages and PDFs in sentences/s, and the
extraction quality of realistic pages (share of the main text kept, boilerplate let in).

Pages and PDFs are written on the spot from the demo corpus's texts (see sample_sources);
reading (extraction and sentence splitting) is timed apart from storing (embedding and
PostgreSQL), and each format is stored in a collection of its own, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from truthgraph.bench.sample_sources import (
    SamplePage,
    article_html,
    paginate,
    quality_pages,
    text_pdf,
)
from truthgraph.errors import NotFoundError
from truthgraph.ingest.html import html_document
from truthgraph.ingest.pipeline import ingest, load_documents
from truthgraph.reading.sentences import split_document, split_sentences
from truthgraph.settings import Settings


def _normal(text: str) -> str:
    return " ".join(text.split())


def page_quality(page: SamplePage) -> dict[str, Any]:
    """What the extractor kept of one page's main text, and which boilerplate got in."""
    document = html_document(
        page.html.encode("utf-8"), where=page.name, source=page.name, origin=None, fetched_at=""
    )
    extracted = _normal(document.text)
    sentences = [_normal(s.text) for p in page.main for s in split_sentences(p)]
    kept = [s for s in sentences if s in extracted]
    leftover = extracted
    for sentence in kept:
        leftover = leftover.replace(sentence, " ")
    main_chars = sum(len(s) for s in sentences)
    return {
        "page": page.name,
        "main_sentences": len(sentences),
        "kept_sentences": len(kept),
        "kept_share": round(sum(len(s) for s in kept) / main_chars, 4) if main_chars else 0.0,
        "missed": [s for s in sentences if s not in extracted],
        "boilerplate_in": [b for b in page.boilerplate if b in document.text],
        "other_text": _normal(leftover),
        "title": document.title,
        "metadata": {k: v for k, v in document.metadata.items() if k not in {"sha256"}},
    }


def visible_text(data: bytes) -> str:
    """What a browser shows of a page, roughly: the body's text without scripts and styles."""
    import lxml.html

    tree = lxml.html.fromstring(data)
    for hidden in tree.xpath("//script|//style|//head|//noscript|//template"):
        hidden.drop_tree()
    return _normal(tree.text_content())


def file_quality(path: Path) -> dict[str, Any]:
    """For a real page without a known main text: how much of its visible text was kept, and
    where the extracted text starts and ends (to judge by eye what came in or went out)."""
    data = path.read_bytes()
    document = html_document(data, where=str(path), source=path.name, origin=None, fetched_at="")
    extracted = _normal(document.text)
    visible = visible_text(data)
    return {
        "page": str(path),
        "title": document.title,
        "visible_chars": len(visible),
        "extracted_chars": len(extracted),
        "kept_share_of_visible": round(len(extracted) / len(visible), 4) if visible else 0.0,
        "starts": extracted[:120],
        "ends": extracted[-120:],
    }


def _paragraphs(corpus: Path) -> list[str]:
    _, documents = load_documents([corpus])
    return [d.text for d in documents if len(d.text) > 80]


def write_samples(folder: Path, pages: int, pdf_pages: int, corpus: Path) -> tuple[Path, Path]:
    """``pages`` HTML articles (8 paragraphs each) and one PDF of about ``pdf_pages`` pages."""
    texts = _paragraphs(corpus)
    html_dir = folder / "html"
    html_dir.mkdir()
    source = cycle(texts)
    for number in range(pages):
        body = list(islice(source, 8))
        (html_dir / f"article-{number:04d}.html").write_bytes(
            article_html(title=f"Article {number}", paragraphs=body)
        )
    count = 4 * pdf_pages
    laid_out = paginate(list(islice(cycle(texts), count)))
    while len(laid_out) < pdf_pages:
        count *= 2
        laid_out = paginate(list(islice(cycle(texts), count)))
    pdf = folder / "report.pdf"
    pdf.write_bytes(text_pdf(laid_out[:pdf_pages], title="Benchmark report"))
    return html_dir, pdf


def _measure(
    name: str, path: Path, settings: Settings, collection: str, store: Any, embedder: Any
) -> dict[str, Any]:
    started = time.perf_counter()
    files, documents = load_documents([path])
    sentences = sum(len(split_document(d)) for d in documents)
    read_s = time.perf_counter() - started
    with contextlib.suppress(NotFoundError):
        store.drop_collection(collection)
    target = store.ensure_collection(
        collection, embedder.name, embedder.dimension, settings.retrieval
    )
    try:
        report = ingest(documents, target, store, embedder, files=files)
    finally:
        store.drop_collection(collection)
    total_s = read_s + report.seconds
    return {
        "format": name,
        "files": files,
        "documents": len(documents),
        "bytes": sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir())),
        "sentences": sentences,
        "read_s": round(read_s, 3),
        "read_sentences_per_s": round(sentences / read_s, 1) if read_s else 0.0,
        "store_s": round(report.seconds, 3),
        "sentences_added": report.sentences_added,
        "end_to_end_sentences_per_s": round(report.sentences_added / total_s, 1),
    }


def run_sources(
    settings: Settings, store: Any, embedder: Any, pages: int, pdf_pages: int, corpus: Path
) -> dict[str, Any]:
    """Rates for HTML and PDF, and extraction quality (see module docstring); closes
    ``store``."""
    quality = [page_quality(p) for p in quality_pages()]
    embedder.embed(["warm up the model once"])
    try:
        with tempfile.TemporaryDirectory(prefix="truthgraph-bench-sources-") as folder:
            html_dir, pdf = write_samples(Path(folder), pages, pdf_pages, corpus)
            rates = [
                _measure("html", html_dir, settings, "bench-sources-html", store, embedder),
                _measure("pdf", pdf, settings, "bench-sources-pdf", store, embedder),
            ]
    finally:
        store.close()
    return {"rates": rates, "quality": quality, "embedding_model": embedder.name}

"""``truthgraph bench check``: a whole article checked, with the time of each stage.

The article is made from the demo corpus (Wikipedia text selected through FEVER, CC BY-SA
3.0): its documents, each under its title as a heading, until it has the words asked for.
It is checked against the demo corpus ingested into a collection of its own, once untimed
(warm models, index pages), then ``repeat`` times; the median of each stage is reported.

``bench_check_against``: a text (by default a 200-word answer drawn from the documents)
checked against given documents in memory (``check --against``), every stage timed from
reading the documents to the roll-up.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from truthgraph.check.against import MemoryEvidenceStore, check_against, read_against
from truthgraph.check.report import CheckReport
from truthgraph.check.run import check_text
from truthgraph.domain import RawDocument
from truthgraph.extract import ClaimExtractor
from truthgraph.ingest.pipeline import ingest
from truthgraph.ports import Embedder
from truthgraph.settings import FetchSettings, RetrievalSettings
from truthgraph.verify.verifier import Verifier

STAGES = ("extraction", "embedding", "retrieval", "nli", "aggregation", "verification", "total")


def demo_documents() -> list[RawDocument]:
    text = resources.files("truthgraph.demo").joinpath("corpus.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [RawDocument(text=r["text"], title=r.get("title"), source="demo") for r in rows]


def demo_article(words: int) -> str:
    """Demo documents under their titles as Markdown headings, until ``words`` words."""
    parts: list[str] = []
    count = 0
    for document in demo_documents():
        if count >= words:
            break
        parts.append(f"## {document.title}\n\n{document.text}")
        count += len(document.text.split())
    return "\n\n".join(parts) + "\n"


def bench_check(
    verifier: Verifier,
    store: Any,
    embedder: Embedder,
    dimension: int,
    retrieval: RetrievalSettings,
    extractor: ClaimExtractor,
    collection: str,
    words: int,
    repeat: int,
    progress: Callable[[int, int], None] | None = None,
    top_k: int | None = None,
) -> dict[str, Any]:
    """The figures of ``repeat`` timed checks of a ``words``-word article."""
    target = store.ensure_collection(collection, embedder.name, dimension, retrieval)
    ingest(demo_documents(), target, store, embedder)
    article = demo_article(words)
    options = verifier.options_with(top_k=top_k, persist=False)
    check_text(verifier, article, collection, extractor, options)  # warm-up, untimed
    runs = []
    for i in range(repeat):
        runs.append(check_text(verifier, article, collection, extractor, options))
        if progress is not None:
            progress(i + 1, repeat)
    last = runs[-1]
    counts = last.counts()
    return {
        "words": len(article.split()),
        "characters": len(article),
        "sentences": counts["sentences"],
        "sentences_checked": counts["sentences_checked"],
        "claims": counts["claims"],
        "extractor": last.extractor,
        "top_k": options.top_k,
        "repeat": repeat,
        "stages_ms": {
            stage: statistics.median(r.timings_ms.get(stage, 0.0) for r in runs) for stage in STAGES
        },
        "total_s": [round(r.timings_ms["total"] / 1000, 3) for r in runs],
    }


AGAINST_STAGES = (
    "read",
    "split",
    "embed_documents",
    "extraction",
    "embedding",
    "retrieval",
    "nli",
    "aggregation",
    "verification",
    "total",
)


def answer_from(documents: Sequence[RawDocument], words: int) -> str:
    """A ``words``-word answer drawn from the documents: their sentences in turn (the first of
    each document, then the second, ...), so the answer spans every document."""
    from truthgraph.reading.sentences import split_document

    columns = [split_document(d) for d in documents]
    parts: list[str] = []
    count = 0
    for row in range(max((len(c) for c in columns), default=0)):
        for sentences in columns:
            if row < len(sentences) and count < words:
                parts.append(sentences[row].text)
                count += len(sentences[row].text.split())
    return " ".join(parts) + "\n"


def bench_check_against(
    verifier: Verifier,
    embedder: Embedder,
    extractor: ClaimExtractor,
    sources: Sequence[str],
    fetch: FetchSettings,
    answer: str | None,
    answer_words: int,
    repeat: int,
    progress: Callable[[int, int], None] | None = None,
    top_k: int | None = None,
) -> dict[str, Any]:
    """A text checked against the documents ``sources`` end to end (read, split, embed,
    search, verify, roll up), once untimed and then ``repeat`` times: the median of each
    stage and the p50 of the whole. ``answer`` None: ``answer_words`` words drawn from the
    documents (``answer_from``)."""
    documents = read_against(sources, fetch)
    text = answer if answer is not None else answer_from(documents, answer_words)
    options = verifier.options_with(top_k=top_k, persist=False)

    def once() -> CheckReport:
        r0 = time.perf_counter()
        given = read_against(sources, fetch)
        read_ms = (time.perf_counter() - r0) * 1000
        store = MemoryEvidenceStore(given, embedder)
        return check_against(verifier, text, store, extractor, options, read_ms=read_ms)

    once()  # warm-up, untimed
    runs = []
    for i in range(repeat):
        runs.append(once())
        if progress is not None:
            progress(i + 1, repeat)
    last = runs[-1]
    counts = last.counts()
    totals = [r.timings_ms["total"] for r in runs]
    return {
        "documents": len(documents),
        "document_words": [len(d.text.split()) for d in documents],
        "answer_words": len(text.split()),
        "sentences": counts["sentences"],
        "sentences_checked": counts["sentences_checked"],
        "claims": counts["claims"],
        "verdict": last.label.value,
        "extractor": last.extractor,
        "top_k": options.top_k,
        "repeat": repeat,
        "stages_ms": {
            stage: statistics.median(r.timings_ms.get(stage, 0.0) for r in runs)
            for stage in AGAINST_STAGES
        },
        "p50_s": round(statistics.median(totals) / 1000, 3),
        "total_s": [round(t / 1000, 3) for t in totals],
    }

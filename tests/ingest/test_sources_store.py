"""Versions and pages in the real PostgreSQL: a changed origin is stored as its next version,
its earlier sentences leave search, and verdicts keep the provenance they cited."""

from __future__ import annotations

import pytest

from tests.web import report_pdf
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.domain import Label, NLIScores, RawDocument, ScoredEvidence, Strategy, Verdict
from truthgraph.ingest.pdf import pdf_document
from truthgraph.ingest.pipeline import content_hash, ingest
from truthgraph.ports import LoadedEmbedder, SearchParams
from truthgraph.settings import RetrievalSettings

pytestmark = [pytest.mark.integration, pytest.mark.models]

ORIGIN = "https://example.org/institute"


def page(text: str, fetched_at: str) -> RawDocument:
    return RawDocument(
        text, "Institute", source=ORIGIN, url=ORIGIN, origin=ORIGIN, fetched_at=fetched_at
    )


def test_a_changed_origin_is_versioned_and_only_its_latest_version_is_searched(
    store: PgvectorEvidenceStore, embedder: LoadedEmbedder, collection_name: str
) -> None:
    collection = store.ensure_collection(
        collection_name, embedder.name, embedder.dimension, RetrievalSettings()
    )
    v1 = page("The institute was founded in Windhoek in 1987.", "2026-01-01T10:00:00+00:00")
    v2 = page("The institute moved to Swakopmund in 2021.", "2026-06-01T10:00:00+00:00")
    assert ingest([v1], collection, store, embedder).documents_added == 1
    assert ingest([v1], collection, store, embedder).documents_added == 0
    assert ingest([v2], collection, store, embedder).documents_added == 1

    first_id = store.find_document_id(collection, content_hash(v1))
    second_id = store.find_document_id(collection, content_hash(v2))
    assert first_id is not None and second_id is not None
    first, second = store.get_document(first_id), store.get_document(second_id)
    assert (first.version, second.version) == (1, 2)
    assert first.superseded_at is not None and second.superseded_at is None
    assert first.sentences == 0 and second.sentences == 1  # v1's text stays readable
    assert first.content == v1.text and first.fetched_at.startswith("2026-01-01")  # type: ignore[union-attr]

    [hits] = store.search(collection, embedder.embed(["founded in Windhoek"]), SearchParams(5))
    assert [(h.version, h.origin) for h in hits] == [(2, ORIGIN)]
    assert hits[0].fetched_at is not None and hits[0].fetched_at.startswith("2026-06-01")
    assert hits[0].content_hash == content_hash(v2)


def test_pdf_pages_and_provenance_survive_search_and_saved_verdicts(
    store: PgvectorEvidenceStore, embedder: LoadedEmbedder, collection_name: str
) -> None:
    collection = store.ensure_collection(
        collection_name, embedder.name, embedder.dimension, RetrievalSettings()
    )
    pdf = pdf_document(
        report_pdf(),
        where="lakes.pdf",
        source="lakes.pdf",
        origin="/data/lakes.pdf",
        fetched_at="2026-11-30T05:00:00+00:00",
    )
    ingest([pdf], collection, store, embedder)
    [hits] = store.search(collection, embedder.embed(["Lake Baikal in Siberia"]), SearchParams(1))
    top = hits[0]
    assert "Baikal" in top.text and top.page == 2 and top.version == 1
    keyword = store.keyword_search(collection, "supervolcano", 1)
    assert keyword[0].page == 3 and keyword[0].origin == "/data/lakes.pdf"

    verdict = Verdict(
        claim="Lake Baikal is the deepest lake.",
        label=Label.SUPPORTED,
        confidence=0.9,
        scores={Label.SUPPORTED: 0.9, Label.REFUTED: 0.05, Label.NOT_ENOUGH_INFO: 0.05},
        evidence=(ScoredEvidence(top, NLIScores(0.9, 0.05, 0.05)),),
        strategy=Strategy.WEIGHTED_VOTE,
        collection=collection_name,
        timings_ms={"nli": 1.0},
    )
    saved = store.save_verdict(verdict, embedder.name, "nli")
    assert saved.claim_id is not None
    cited = store.get_verdict(saved.claim_id).evidence[0].hit
    assert (cited.page, cited.version, cited.origin) == (2, 1, "/data/lakes.pdf")
    assert cited.fetched_at == top.fetched_at and cited.content_hash == top.content_hash

"""The evidence store against the real embedded PostgreSQL + pgvector."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fakes import FakeEmbedder
from truthgraph.db.migrate import current_revision, head_revision, upgrade
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.domain import RawDocument, Strategy, Verdict
from truthgraph.errors import ConfigError, EvidenceStoreError, NotFoundError
from truthgraph.ingest.pipeline import ingest
from truthgraph.ports import Collection
from truthgraph.settings import RetrievalSettings

pytestmark = pytest.mark.integration

DOCS = [
    RawDocument("Soul Food is a 1997 film. It was released by Fox 2000 Pictures.", "Soul Food"),
    RawDocument("Paris is the capital of France. The Seine flows through it.", "Paris"),
]


def test_migrations_are_repeatable(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_ingest_twice_adds_nothing_the_second_time(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    embedder = FakeEmbedder()
    collection = store.ensure_collection(
        collection_name, embedder.name, embedder.dimension, RetrievalSettings()
    )
    first = ingest(DOCS, collection, store, embedder)
    second = ingest(DOCS, collection, store, embedder)
    assert (first.documents_added, first.sentences_added) == (2, 4)
    assert (second.documents_added, second.documents_skipped) == (0, 2)
    assert store.count_evidence(collection) == 4


def test_search_returns_nearest_sentences_with_offsets(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    embedder = FakeEmbedder()
    collection = store.ensure_collection(
        collection_name, embedder.name, embedder.dimension, RetrievalSettings()
    )
    ingest(DOCS, collection, store, embedder)
    [hits] = store.search(
        collection, embedder.embed(["It was released by Fox 2000 Pictures."]), _params(2)
    )
    assert hits[0].text == "It was released by Fox 2000 Pictures."
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert DOCS[0].text[hits[0].start : hits[0].end] == hits[0].text
    assert hits[0].title == "Soul Food"
    assert hits[0].previous == "Soul Food is a 1997 film."
    assert len(hits) == 2
    [[first, *_]] = store.search(
        collection, embedder.embed(["Soul Food is a 1997 film."]), _params(1)
    )
    assert first.text == "Soul Food is a 1997 film." and first.previous is None


def test_lexical_search_ranks_shared_words_and_scores_by_cosine(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    embedder, collection = _ingested(store, collection_name)
    queries = ["Which pictures released Soul Food?", "the of and"]
    vectors = embedder.embed(queries)
    [hits, none] = store.lexical_search(collection, queries, vectors, 5)
    # each shares two words with the query; no Paris sentence shares one
    assert {h.text for h in hits} == {
        "It was released by Fox 2000 Pictures.",
        "Soul Food is a 1997 film.",
    }
    [[vector_hit, *_]] = store.search(collection, vectors[:1], _params(4))
    same = next(h for h in hits if h.evidence_id == vector_hit.evidence_id)
    assert same.similarity == pytest.approx(vector_hit.similarity, abs=1e-6)
    assert none == []  # stop words only: no query, no hits


def test_collections_never_mix(store: PgvectorEvidenceStore, collection_name: str) -> None:
    embedder = FakeEmbedder()
    a = store.ensure_collection(collection_name + "a", embedder.name, 32, RetrievalSettings())
    b = store.ensure_collection(collection_name + "b", embedder.name, 32, RetrievalSettings())
    ingest(DOCS[:1], a, store, embedder)
    ingest(DOCS[1:], b, store, embedder)
    [hits] = store.search(b, embedder.embed(["Soul Food film"]), _params(10))
    assert {h.title for h in hits} == {"Paris"}


def test_ivfflat_collections_are_searchable(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    settings = RetrievalSettings(index_type="ivfflat", ivfflat_lists=2, ivfflat_probes=2)
    embedder, collection = _ingested(store, collection_name, settings)
    [hits] = store.search(collection, embedder.embed(["The Seine flows through it."]), _params(1))
    assert hits[0].text == "The Seine flows through it."


def test_halfvec_collections_index_float16_and_score_in_float32(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    settings = RetrievalSettings(index_vector_type="halfvec")
    embedder, collection = _ingested(store, collection_name, settings)
    assert collection.index_params["vector_type"] == "halfvec"
    store.rebuild_index(collection)
    with store._connection() as conn:
        row = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            (f"evidence_embedding_c{collection.id}",),
        ).fetchone()
    assert row is not None and "halfvec(32)" in row[0] and "halfvec_cosine_ops" in row[0]
    [hits] = store.search(collection, embedder.embed(["The Seine flows through it."]), _params(2))
    assert hits[0].text == "The Seine flows through it."
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-6)  # float32, not float16


def test_a_collection_refuses_a_model_of_another_dimension(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    store.ensure_collection(collection_name, "model-a", 32, RetrievalSettings())
    with pytest.raises(ConfigError, match="32-dim"):
        store.ensure_collection(collection_name, "model-b", 768, RetrievalSettings())


def test_unknown_collection_and_claim_are_not_found(store: PgvectorEvidenceStore) -> None:
    with pytest.raises(NotFoundError):
        store.get_collection("no-such-collection")
    with pytest.raises(NotFoundError):
        store.get_verdict(987654321)


def test_saved_verdict_reads_back_with_its_evidence(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    from truthgraph.domain import Label, NLIScores, ScoredEvidence

    embedder, collection = _ingested(store, collection_name)
    [hits] = store.search(collection, embedder.embed(["Fox 2000 Pictures"]), _params(1))
    verdict = Verdict(
        claim="Fox released Soul Food.",
        label=Label.SUPPORTED,
        confidence=0.8,
        scores={Label.SUPPORTED: 0.8, Label.REFUTED: 0.1, Label.NOT_ENOUGH_INFO: 0.1},
        evidence=(ScoredEvidence(hits[0], NLIScores(0.8, 0.1, 0.1)),),
        strategy=Strategy.WEIGHTED_VOTE,
        collection=collection_name,
        timings_ms={"nli": 1.5},
    )
    saved = store.save_verdict(verdict, "fake", "fake-nli")
    assert saved.claim_id is not None
    loaded = store.get_verdict(saved.claim_id)
    assert loaded.label is Label.SUPPORTED
    assert loaded.evidence[0].hit.text == hits[0].text
    assert loaded.evidence[0].scores.entailment == pytest.approx(0.8)


def test_unreachable_database_is_an_unavailable_error() -> None:
    with pytest.raises(EvidenceStoreError, match="unreachable"):
        PgvectorEvidenceStore("postgresql://nobody@127.0.0.1:1/none", timeout_s=1.0)


def _ingested(
    store: PgvectorEvidenceStore, name: str, settings: RetrievalSettings | None = None
) -> tuple[FakeEmbedder, Collection]:
    """A fresh collection holding ``DOCS``, and the embedder it was embedded with."""
    embedder = FakeEmbedder()
    collection = store.ensure_collection(name, embedder.name, 32, settings or RetrievalSettings())
    ingest(DOCS, collection, store, embedder)
    return embedder, collection


def _params(top_k: int):  # type: ignore[no-untyped-def]
    from truthgraph.ports import SearchParams

    return SearchParams(top_k=top_k, ef_search=40, probes=2)


def test_empty_embedding_batch_shape() -> None:
    assert FakeEmbedder().embed([]).shape == (0, 32)
    assert np.isfinite(FakeEmbedder().embed(["a b"])).all()


def test_search_query_matches_the_collections_hnsw_index(
    store: PgvectorEvidenceStore, collection_name: str, database_url: str
) -> None:
    import psycopg

    embedder = FakeEmbedder()
    collection = store.ensure_collection(collection_name, embedder.name, 32, RetrievalSettings())
    docs = [
        RawDocument(f"Sentence {i} on topic {i % 97}. More {i * 7}.", str(i)) for i in range(300)
    ]
    ingest(docs, collection, store, embedder)
    vector = "[" + ",".join(["0.1"] * 32) + "]"
    with psycopg.connect(database_url) as conn:
        conn.execute("ANALYZE evidence")
        # A tiny table may be scanned instead; what matters is that the partial expression
        # index matches the query the store sends, so forbid the sequential scan.
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                f"EXPLAIN SELECT id FROM evidence WHERE collection_id = {collection.id} "
                f"ORDER BY embedding::vector(32) <=> '{vector}'::vector(32) LIMIT 10"
            ).fetchall()
        )
    assert f"evidence_embedding_c{collection.id}" in plan


def test_nli_scores_are_cached_per_model(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    from truthgraph.domain import NLIScores

    embedder, collection = _ingested(store, collection_name)
    evidence_id = store.evidence_ids_in_order(collection)[0]
    store.save_scores("model-a", [(evidence_id, "claim-hash", NLIScores(0.7, 0.2, 0.1))])
    store.save_scores("model-a", [(evidence_id, "claim-hash", NLIScores(0.1, 0.1, 0.8))])
    cached = store.cached_scores("model-a", [(evidence_id, "claim-hash"), (evidence_id, "x")])
    assert list(cached) == [(evidence_id, "claim-hash")]
    assert cached[(evidence_id, "claim-hash")].entailment == pytest.approx(0.7)
    assert store.cached_scores("model-b", [(evidence_id, "claim-hash")]) == {}


def test_an_interrupted_ingest_keeps_committed_batches_and_resumes(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    class FailingEmbedder(FakeEmbedder):
        calls = 0

        def embed(self, texts, batch_size=None):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls == 2:
                raise KeyboardInterrupt
            return super().embed(texts, batch_size)

    docs = [
        RawDocument(f"Document {i} says something. It has two sentences.", str(i)) for i in range(6)
    ]
    collection = store.ensure_collection(collection_name, "fake-embedder", 32, RetrievalSettings())
    with pytest.raises(KeyboardInterrupt):
        ingest(docs, collection, store, FailingEmbedder(), batch_documents=2)
    assert store.count_evidence(collection) == 4  # the first batch of two documents
    resumed = ingest(docs, collection, store, FakeEmbedder(), batch_documents=2)
    assert (resumed.documents_added, resumed.documents_skipped) == (4, 2)
    assert store.count_evidence(collection) == 12


def test_a_verdict_with_an_origin_is_saved_once(
    store: PgvectorEvidenceStore, collection_name: str
) -> None:
    """A batch job resumed after a crash between saving a verdict and recording its item
    saves it again with the same origin: the history keeps one copy (it kept two before)."""
    from truthgraph.domain import Label

    verdict = Verdict(
        claim="Lisbon is in Portugal.",
        label=Label.SUPPORTED,
        confidence=0.7,
        scores={Label.SUPPORTED: 0.7, Label.REFUTED: 0.1, Label.NOT_ENOUGH_INFO: 0.2},
        evidence=(),
        strategy=Strategy.WEIGHTED_VOTE,
        collection=collection_name,
        timings_ms={},
    )
    first = store.save_verdict(verdict, "fake", "fake-nli", origin=f"job:{collection_name}:0")
    again = store.save_verdict(verdict, "fake", "fake-nli", origin=f"job:{collection_name}:0")
    other = store.save_verdict(verdict, "fake", "fake-nli", origin=f"job:{collection_name}:1")
    assert again.claim_id == first.claim_id and again.verdict_id == first.verdict_id
    assert other.claim_id != first.claim_id
    _, total = store.list_claims(collection=collection_name)
    assert total == 2

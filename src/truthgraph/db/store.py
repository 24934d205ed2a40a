"""PgvectorEvidenceStore: collections, documents, evidence search, the NLI cache and verdict
history, in PostgreSQL with pgvector.

Each concern is its own module; this class puts them together behind the ``EvidenceStore`` and
``NLICache`` ports:

    pooled.py       the connection pool (PooledStore)
    collections.py  collections and their vector indexes (CollectionStore)
    documents.py    documents and evidence sentences (DocumentStore)
    search.py       vector, full-text and hybrid search (SearchStore)
    nli_cache.py    scores of pairs scored before (NLICacheStore)
    verdicts.py     verdicts, their evidence links and timings (VerdictStore)
    sql.py          shared SQL pieces
"""

from __future__ import annotations

from truthgraph.db.collections import CollectionStore
from truthgraph.db.documents import DocumentStore
from truthgraph.db.nli_cache import NLICacheStore
from truthgraph.db.search import SearchStore
from truthgraph.db.sql import VECTOR_TYPE_KEY
from truthgraph.db.verdicts import VerdictStore

__all__ = ["VECTOR_TYPE_KEY", "PgvectorEvidenceStore"]


class PgvectorEvidenceStore(
    CollectionStore, DocumentStore, SearchStore, NLICacheStore, VerdictStore
):
    """Evidence and verdicts in PostgreSQL; vector search with pgvector.

    Each collection gets its own partial index over ``embedding::vector(dim)`` (HNSW with
    cosine distance by default, or IVFFlat), so collections of different models never mix;
    ``index_vector_type="halfvec"`` indexes ``embedding::halfvec(dim)`` instead (2 bytes a
    dimension instead of 4), and the similarities returned are still computed in float32.
    """

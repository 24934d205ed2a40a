"""SearchStore: evidence search: vector (pgvector), full text, and both for hybrid retrieval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from psycopg import sql

from truthgraph.db.pooled import PooledStore
from truthgraph.db.sql import _HIT_JOINS, _hit, _hit_columns, _vector_cast
from truthgraph.domain import EvidenceHit, check_characters
from truthgraph.errors import ConfigError
from truthgraph.ports import Collection, SearchParams


class SearchStore(PooledStore):
    """Evidence search: vector (pgvector), full text, and both for hybrid retrieval."""

    def search(
        self, collection: Collection, vectors: np.ndarray, params: SearchParams
    ) -> list[list[EvidenceHit]]:
        """The ``top_k`` nearest evidence sentences (cosine) for each query vector."""
        if vectors.ndim != 2 or vectors.shape[1] != collection.embedding_dim:
            raise ConfigError(
                f"query vectors have shape {vectors.shape}; collection {collection.name!r} "
                f"holds {collection.embedding_dim}-dim embeddings"
            )
        cast = _vector_cast(collection.embedding_dim, collection.index_params)
        query = sql.SQL(
            """
            SELECT {columns}
            FROM (
                SELECT id FROM evidence
                WHERE collection_id = {collection}
                ORDER BY embedding::{cast} <=> %(q)s::{cast}
                LIMIT {limit}
            ) nearest
            JOIN evidence e ON e.id = nearest.id
            {joins}
            ORDER BY similarity DESC, e.id
            """
        ).format(
            columns=_hit_columns(collection.embedding_dim, "q"),
            joins=_HIT_JOINS,
            cast=cast,
            collection=sql.Literal(collection.id),
            limit=sql.Literal(params.top_k),
        )
        results: list[list[EvidenceHit]] = []
        breadth = (
            sql.SQL("SET LOCAL hnsw.ef_search = {}").format(
                sql.Literal(max(params.ef_search, params.top_k))
            )
            if collection.index_type == "hnsw"
            else sql.SQL("SET LOCAL ivfflat.probes = {}").format(sql.Literal(params.probes))
        )
        with self._connection() as conn, conn.transaction():
            conn.execute(breadth)
            for vector in np.asarray(vectors, dtype=np.float32):
                # one binary parameter (pgvector's numpy dumper): no text to format or parse
                rows = conn.execute(query, {"q": vector}, binary=True).fetchall()
                results.append([_hit(r) for r in rows])
        return results

    def lexical_search(
        self, collection: Collection, queries: Sequence[str], vectors: np.ndarray, top_k: int
    ) -> list[list[EvidenceHit]]:
        """For each query, the ``top_k`` sentences that share the most of its words (full text,
        ``english`` configuration, any of the words, ranked by ``ts_rank_cd``); each hit's
        ``similarity`` is its cosine similarity to the query's vector, as in ``search``."""
        if vectors.shape != (len(queries), collection.embedding_dim):
            raise ConfigError(
                f"{len(queries)} queries with vectors of shape {vectors.shape}; collection "
                f"{collection.name!r} holds {collection.embedding_dim}-dim embeddings"
            )
        for text in queries:
            check_characters(text, "the query")
        query = sql.SQL(
            """
            WITH q AS (
                SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), '')::tsquery AS q
                FROM unnest(to_tsvector('english', %(text)s))
            )
            SELECT {columns}
            FROM q, evidence e
            {joins}
            WHERE e.collection_id = {collection} AND to_tsvector('english', e.text) @@ q.q
            ORDER BY ts_rank_cd(to_tsvector('english', e.text), q.q) DESC, e.id
            LIMIT {limit}
            """
        ).format(
            columns=_hit_columns(collection.embedding_dim, "vector"),
            joins=_HIT_JOINS,
            collection=sql.Literal(collection.id),
            limit=sql.Literal(top_k),
        )
        results: list[list[EvidenceHit]] = []
        with self._connection() as conn:
            for text, vector in zip(queries, np.asarray(vectors, dtype=np.float32), strict=True):
                rows = conn.execute(query, {"text": text, "vector": vector}, binary=True).fetchall()
                results.append([_hit(r) for r in rows])
        return results

    def keyword_search(self, collection: Collection, query: str, top_k: int) -> list[EvidenceHit]:
        """Full-text search (PostgreSQL ``english`` configuration, web-search syntax); the
        hit's ``similarity`` is its ``ts_rank_cd`` score, highest first."""
        check_characters(query, "the query")
        with self._connection() as conn:
            rows = conn.execute(
                """
                SELECT e.id, e.document_id, e.text, e.start_char, e.end_char,
                       ts_rank_cd(to_tsvector('english', e.text), q) AS rank,
                       d.title, d.source, d.url, e.page, d.origin, d.version, d.fetched_at,
                       d.content_hash
                FROM evidence e
                JOIN documents d ON d.id = e.document_id,
                     websearch_to_tsquery('english', %s) q
                WHERE e.collection_id = %s AND to_tsvector('english', e.text) @@ q
                ORDER BY rank DESC, e.id
                LIMIT %s
                """,
                (query, collection.id, top_k),
            ).fetchall()
        return [_hit(r) for r in rows]

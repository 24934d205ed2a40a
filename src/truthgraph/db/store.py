"""PgvectorEvidenceStore: collections, documents, evidence search, and verdict history."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, get_args

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg.rows import dict_row

from truthgraph.db.pool import open_pool, pooled_connection
from truthgraph.db.provenance import as_timestamp, insert_document
from truthgraph.db.records import ClaimSummary, DocumentRecord
from truthgraph.domain import (
    EvidenceHit,
    Label,
    NLIScores,
    RawDocument,
    ScoredEvidence,
    Sentence,
    Strategy,
    Verdict,
)
from truthgraph.errors import ConfigError, NotFoundError
from truthgraph.ports import Collection, SearchParams
from truthgraph.settings import IndexVectorType, RetrievalSettings

# The key of ``collections.index_params`` naming the index's vector type, when not ``vector``.
VECTOR_TYPE_KEY = "vector_type"


def _configure(conn: psycopg.Connection[Any]) -> None:
    register_vector(conn)
    conn.commit()


class PgvectorEvidenceStore:
    """Evidence and verdicts in PostgreSQL; vector search with pgvector.

    Each collection gets its own partial index over ``embedding::vector(dim)`` (HNSW with
    cosine distance by default, or IVFFlat), so collections of different models never mix;
    ``index_vector_type="halfvec"`` indexes ``embedding::halfvec(dim)`` instead (2 bytes a
    dimension instead of 4), and the similarities returned are still computed in float32.
    """

    def __init__(self, url: str, max_connections: int = 4, timeout_s: float = 10.0) -> None:
        self._pool = open_pool(url, max_connections, timeout_s, configure=_configure)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        with pooled_connection(self._pool) as conn:
            yield conn

    # collections -------------------------------------------------------------------------

    def get_collection(self, name: str) -> Collection:
        """The collection called ``name``; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute("SELECT * FROM collections WHERE name = %s", (name,)).fetchone()
        if row is None:
            raise NotFoundError(f"unknown collection {name!r}: ingest documents into it first")
        return _collection(row)

    def list_collections(self) -> list[tuple[Collection, int, int]]:
        """Every collection with its document and evidence counts."""
        query = """
            SELECT c.*,
                   (SELECT count(*) FROM documents d WHERE d.collection_id = c.id) AS documents,
                   (SELECT count(*) FROM evidence e WHERE e.collection_id = c.id) AS evidence
            FROM collections c ORDER BY c.name
        """
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(query).fetchall()
        return [(_collection(r), int(r["documents"]), int(r["evidence"])) for r in rows]

    def ensure_collection(
        self, name: str, embedding_model: str, embedding_dim: int, retrieval: RetrievalSettings
    ) -> Collection:
        """Create ``name`` with its vector index, or check that the existing one matches."""
        try:
            existing = self.get_collection(name)
        except NotFoundError:
            existing = None
        if existing is not None:
            if (existing.embedding_model, existing.embedding_dim) != (
                embedding_model,
                embedding_dim,
            ):
                raise ConfigError(
                    f"collection {name!r} holds {existing.embedding_model} embeddings "
                    f"({existing.embedding_dim}-dim); the configured model is "
                    f"{embedding_model} ({embedding_dim}-dim)"
                )
            return existing
        params: dict[str, int | str] = (
            {"m": retrieval.hnsw_m, "ef_construction": retrieval.hnsw_ef_construction}
            if retrieval.index_type == "hnsw"
            else {"lists": retrieval.ivfflat_lists}
        )
        if retrieval.index_vector_type != "vector":
            params[VECTOR_TYPE_KEY] = retrieval.index_vector_type
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(720414)")
            row = conn.execute(
                """
                INSERT INTO collections (name, embedding_model, embedding_dim, index_type,
                                         index_params)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (name) DO NOTHING RETURNING id
                """,
                (name, embedding_model, embedding_dim, retrieval.index_type, json.dumps(params)),
            ).fetchone()
            if row is not None and retrieval.index_type == "hnsw":
                conn.execute(_index_ddl(int(row[0]), embedding_dim, "hnsw", params))
        return self.get_collection(name)

    def build_index(self, collection: Collection) -> None:
        """After data changed: rebuild an IVFFlat index (HNSW is maintained live) and refresh
        the planner's statistics, so searches use the collection's index once it pays."""
        if collection.index_type == "ivfflat":
            self.rebuild_index(collection)
        else:
            self.analyze()

    def analyze(self) -> None:
        """Refresh the planner's statistics of the evidence table."""
        with self._connection() as conn:
            conn.execute("ANALYZE evidence")
            conn.commit()

    def drop_index(self, collection: Collection) -> None:
        """Drop the collection's vector index (before a bulk load; ``rebuild_index`` restores it).

        Searches still work without it, by exact scan.
        """
        with self._connection() as conn:
            conn.execute(_drop_index_sql(collection.id))
            conn.commit()

    def index_size(self, collection: Collection) -> int:
        """Bytes on disk of the collection's vector index (0 without one)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT coalesce(pg_relation_size(to_regclass(%s)), 0)",
                (_index_name(collection.id).as_string(conn),),
            ).fetchone()
        return int(row[0]) if row else 0

    def rebuild_index(self, collection: Collection, maintenance_work_mem: str = "1GB") -> None:
        """Drop and build the collection's vector index from the data it holds now.

        Faster than live maintenance after a bulk load; IVFFlat needs it to place its lists.
        ``maintenance_work_mem`` should hold the whole HNSW graph (about 2 KB a 384-dim
        vector), or the build spills to disk and slows down many times.
        """
        with self._connection() as conn, conn.transaction():
            conn.execute(
                sql.SQL("SET LOCAL maintenance_work_mem = {}").format(
                    sql.Literal(maintenance_work_mem)
                )
            )
            conn.execute(_drop_index_sql(collection.id))
            conn.execute(
                _index_ddl(
                    collection.id,
                    collection.embedding_dim,
                    collection.index_type,
                    collection.index_params,
                )
            )
        self.analyze()

    def cached_scores(
        self, model: str, keys: Sequence[tuple[int, str]]
    ) -> dict[tuple[int, str], NLIScores]:
        """NLI scores of (evidence id, claim hash) pairs this model has scored before."""
        if not keys:
            return {}
        with self._connection() as conn:
            rows = conn.execute(
                """
                SELECT c.evidence_id, c.claim_hash, c.entailment, c.neutral, c.contradiction
                FROM nli_cache c
                JOIN unnest(%s::bigint[], %s::text[]) AS k(evidence_id, claim_hash)
                  ON c.evidence_id = k.evidence_id AND c.claim_hash = k.claim_hash
                WHERE c.model = %s
                """,
                ([k[0] for k in keys], [k[1] for k in keys], model),
            ).fetchall()
        return {(int(r[0]), r[1]): NLIScores(float(r[2]), float(r[3]), float(r[4])) for r in rows}

    def save_scores(self, model: str, items: Sequence[tuple[int, str, NLIScores]]) -> None:
        """Remember NLI scores for later verifications of the same pairs."""
        if not items:
            return
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                """
                INSERT INTO nli_cache (evidence_id, claim_hash, model, entailment, neutral,
                                       contradiction)
                VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
                """,
                [(e, h, model, s.entailment, s.neutral, s.contradiction) for e, h, s in items],
            )

    def evidence_ids_in_order(self, collection: Collection) -> list[int]:
        """Evidence ids of a collection in insertion order (document, then position)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id FROM evidence WHERE collection_id = %s ORDER BY document_id, position",
                (collection.id,),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def drop_collection(self, name: str) -> None:
        """Delete a collection with its documents, evidence and index."""
        collection = self.get_collection(name)
        with self._connection() as conn, conn.transaction():
            conn.execute(_drop_index_sql(collection.id))
            conn.execute("DELETE FROM collections WHERE id = %s", (collection.id,))

    # documents -----------------------------------------------------------------------------

    def known_hashes(self, collection: Collection, hashes: Sequence[str]) -> set[str]:
        """Which of ``hashes`` are already stored in ``collection``."""
        if not hashes:
            return set()
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT content_hash FROM documents WHERE collection_id = %s "
                "AND content_hash = ANY(%s)",
                (collection.id, list(hashes)),
            ).fetchall()
        return {r[0] for r in rows}

    def add_documents(
        self,
        collection: Collection,
        documents: Sequence[tuple[RawDocument, str, Sequence[Sentence]]],
        embeddings: np.ndarray,
    ) -> int:
        """Store documents (with content hash and sentences) and their sentence embeddings.

        One transaction: either every document of the batch is stored or none is. A document
        whose hash is already in the collection is skipped. Returns the number stored.
        """
        stored = 0
        offset = 0
        with self._connection() as conn, conn.transaction():
            for document, content_hash, sentences in documents:
                vectors = embeddings[offset : offset + len(sentences)]
                offset += len(sentences)
                document_id = insert_document(conn, collection.id, document, content_hash)
                if document_id is None:
                    continue
                stored += 1
                with conn.cursor().copy(
                    "COPY evidence (document_id, collection_id, position, text, start_char,"
                    " end_char, embedding, page) FROM STDIN"
                ) as copy:
                    for position, (sentence, vector) in enumerate(
                        zip(sentences, vectors, strict=True)
                    ):
                        copy.write_row(
                            (
                                document_id,
                                collection.id,
                                position,
                                sentence.text,
                                sentence.start,
                                sentence.end,
                                _vector_literal(vector),
                                sentence.page,
                            )
                        )
        return stored

    def count_evidence(self, collection: Collection) -> int:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM evidence WHERE collection_id = %s", (collection.id,)
            ).fetchone()
        return int(row[0]) if row else 0

    # search --------------------------------------------------------------------------------

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

    # verdicts ------------------------------------------------------------------------------

    def save_verdict(self, verdict: Verdict, embedding_model: str, nli_model: str) -> Verdict:
        """Persist a claim, its verdict and the evidence links; return it with ids set."""
        from dataclasses import replace

        with self._connection() as conn, conn.transaction():
            claim_row = conn.execute(
                "INSERT INTO claims (text, collection) VALUES (%s, %s) RETURNING id, created_at",
                (verdict.claim, verdict.collection),
            ).fetchone()
            assert claim_row is not None  # RETURNING always yields a row
            verdict_row = conn.execute(
                """
                INSERT INTO verdicts (claim_id, label, confidence, scores, strategy, timings_ms,
                                      embedding_model, nli_model)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
                """,
                (
                    claim_row[0],
                    verdict.label.value,
                    verdict.confidence,
                    json.dumps({k.value: v for k, v in verdict.scores.items()}),
                    verdict.strategy.value,
                    json.dumps(verdict.timings_ms),
                    embedding_model,
                    nli_model,
                ),
            ).fetchone()
            assert verdict_row is not None
            if verdict.evidence:
                with conn.cursor() as cur:
                    cur.executemany(
                        """
                        INSERT INTO verdict_evidence (verdict_id, rank, evidence_id, document_id,
                            text, title, source, url, start_char, end_char, similarity, label,
                            entailment, neutral, contradiction, page, origin, version, fetched_at,
                            content_hash)
                        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                                %s, %s, %s, %s, %s)
                        """,
                        [
                            (
                                verdict_row[0],
                                rank,
                                e.hit.evidence_id,
                                e.hit.document_id,
                                e.hit.text,
                                e.hit.title,
                                e.hit.source,
                                e.hit.url,
                                e.hit.start,
                                e.hit.end,
                                e.hit.similarity,
                                e.label.value,
                                e.scores.entailment,
                                e.scores.neutral,
                                e.scores.contradiction,
                                e.hit.page,
                                e.hit.origin,
                                e.hit.version,
                                as_timestamp(e.hit.fetched_at),
                                e.hit.content_hash,
                            )
                            for rank, e in enumerate(verdict.evidence)
                        ],
                    )
        return replace(
            verdict,
            claim_id=int(claim_row[0]),
            verdict_id=int(verdict_row[0]),
            created_at=claim_row[1].isoformat(),
        )

    def get_verdict(self, claim_id: int) -> Verdict:
        """The latest verdict of claim ``claim_id``; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                """
                SELECT c.id AS claim_id, c.text, c.collection, c.created_at, v.id AS verdict_id,
                       v.label, v.confidence, v.scores, v.strategy, v.timings_ms
                FROM claims c JOIN verdicts v ON v.claim_id = c.id
                WHERE c.id = %s ORDER BY v.id DESC LIMIT 1
                """,
                (claim_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no verification with id {claim_id}")
            evidence_rows = cur.execute(
                "SELECT * FROM verdict_evidence WHERE verdict_id = %s ORDER BY rank",
                (row["verdict_id"],),
            ).fetchall()
        evidence = tuple(
            ScoredEvidence(
                EvidenceHit(
                    evidence_id=int(e["evidence_id"] or 0),
                    document_id=int(e["document_id"] or 0),
                    text=e["text"],
                    start=int(e["start_char"]),
                    end=int(e["end_char"]),
                    similarity=float(e["similarity"]),
                    title=e["title"],
                    source=e["source"],
                    url=e["url"],
                    page=e["page"],
                    origin=e["origin"],
                    version=e["version"],
                    fetched_at=_iso(e["fetched_at"]),
                    content_hash=e["content_hash"],
                ),
                NLIScores(float(e["entailment"]), float(e["neutral"]), float(e["contradiction"])),
            )
            for e in evidence_rows
        )
        return Verdict(
            claim=row["text"],
            label=Label(row["label"]),
            confidence=float(row["confidence"]),
            scores={Label(k): float(v) for k, v in row["scores"].items()},
            evidence=evidence,
            strategy=Strategy(row["strategy"]),
            collection=row["collection"],
            timings_ms={k: float(v) for k, v in row["timings_ms"].items()},
            claim_id=int(row["claim_id"]),
            verdict_id=int(row["verdict_id"]),
            created_at=row["created_at"].isoformat(),
        )

    # service queries (HTTP API) ----------------------------------------------------------

    def ping(self) -> None:
        """Raise EvidenceStoreError unless the database answers."""
        with self._connection() as conn:
            conn.execute("SELECT 1")

    def get_document(self, document_id: int) -> DocumentRecord:
        """A stored document; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                """
                SELECT d.*, c.name AS collection,
                       (SELECT count(*) FROM evidence e WHERE e.document_id = d.id) AS sentences
                FROM documents d JOIN collections c ON c.id = d.collection_id
                WHERE d.id = %s
                """,
                (document_id,),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {document_id}")
        return DocumentRecord(
            id=int(row["id"]),
            collection=row["collection"],
            content=row["content"],
            sentences=int(row["sentences"]),
            title=row["title"],
            source=row["source"],
            url=row["url"],
            external_id=row["external_id"],
            metadata=dict(row["metadata"] or {}),
            created_at=row["created_at"].isoformat(),
            origin=row["origin"],
            version=row["version"],
            fetched_at=_iso(row["fetched_at"]),
            superseded_at=_iso(row["superseded_at"]),
        )

    def find_document_id(self, collection: Collection, content_hash: str) -> int | None:
        """The id of the document with ``content_hash`` in ``collection``, if stored."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id FROM documents WHERE collection_id = %s AND content_hash = %s",
                (collection.id, content_hash),
            ).fetchone()
        return int(row[0]) if row else None

    def delete_document(self, document_id: int) -> DocumentRecord:
        """Delete a document and its evidence sentences (they leave the vector and keyword
        indexes); past verdicts keep their copy of the cited text. Returns what was deleted."""
        record = self.get_document(document_id)
        with self._connection() as conn, conn.transaction():
            deleted = conn.execute(
                "DELETE FROM documents WHERE id = %s RETURNING id", (document_id,)
            ).fetchone()
        if deleted is None:
            raise NotFoundError(f"no document with id {document_id}")
        return record

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

    def list_claims(
        self,
        query: str | None = None,
        collection: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[ClaimSummary], int]:
        """Past verifications, newest first, whose claim contains ``query`` (case-insensitive);
        and how many match in all."""
        pattern = None
        if query:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        where = """
            WHERE (%(pattern)s::text IS NULL OR c.text ILIKE %(pattern)s)
              AND (%(collection)s::text IS NULL OR c.collection = %(collection)s)
        """
        params = {"pattern": pattern, "collection": collection, "limit": limit, "offset": offset}
        with self._connection() as conn:
            total_row = conn.execute("SELECT count(*) FROM claims c" + where, params).fetchone()
            rows = conn.execute(
                """
                SELECT c.id, v.id, c.text, c.collection, v.label, v.confidence, c.created_at
                FROM claims c
                JOIN LATERAL (SELECT id, label, confidence FROM verdicts
                              WHERE claim_id = c.id ORDER BY id DESC LIMIT 1) v ON true
                """
                + where
                + " ORDER BY c.created_at DESC, c.id DESC LIMIT %(limit)s OFFSET %(offset)s",
                params,
            ).fetchall()
        items = [
            ClaimSummary(
                claim_id=int(r[0]),
                verdict_id=int(r[1]),
                claim=r[2],
                collection=r[3],
                label=r[4],
                confidence=float(r[5]),
                created_at=r[6].isoformat(),
            )
            for r in rows
        ]
        return items, int(total_row[0]) if total_row else 0

    def get_verdict_by_id(self, verdict_id: int) -> Verdict:
        """A verdict by its own id (a claim holds the one verdict ``save_verdict`` wrote)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT claim_id FROM verdicts WHERE id = %s", (verdict_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no verdict with id {verdict_id}")
        verdict = self.get_verdict(int(row[0]))
        if verdict.verdict_id != verdict_id:
            raise NotFoundError(f"verdict {verdict_id} was superseded by {verdict.verdict_id}")
        return verdict


def _hit(row: Sequence[Any]) -> EvidenceHit:
    """An EvidenceHit from a row (id, document_id, text, start, end, score, title, source, url,
    page, origin, version, fetched_at, content_hash and, from searches, the previous
    sentence's text)."""
    return EvidenceHit(
        evidence_id=int(row[0]),
        document_id=int(row[1]),
        text=row[2],
        start=int(row[3]),
        end=int(row[4]),
        similarity=float(row[5]),
        title=row[6],
        source=row[7],
        url=row[8],
        page=row[9],
        origin=row[10],
        version=row[11],
        fetched_at=_iso(row[12]),
        content_hash=row[13],
        previous=row[14] if len(row) > 14 else None,
    )


def _iso(value: Any) -> str | None:
    """A timestamp column as ISO 8601 text."""
    return value.isoformat() if value is not None else None


def _collection(row: dict[str, Any]) -> Collection:
    return Collection(
        id=int(row["id"]),
        name=row["name"],
        embedding_model=row["embedding_model"],
        embedding_dim=int(row["embedding_dim"]),
        index_type=row["index_type"],
        index_params=dict(row["index_params"]),
    )


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


# What every search returns per hit (see ``_hit``), joined from ``evidence e``.
_HIT_JOINS = sql.SQL(
    "JOIN documents d ON d.id = e.document_id "
    "LEFT JOIN evidence p ON p.document_id = e.document_id AND p.position = e.position - 1"
)


def _hit_columns(dim: int, vector_param: str) -> sql.Composed:
    """The columns ``_hit`` reads; the similarity to the query vector (named parameter
    ``vector_param``) is computed in float32 whatever the index holds."""
    full = sql.SQL("vector({})").format(sql.Literal(dim))
    return sql.SQL(
        "e.id, e.document_id, e.text, e.start_char, e.end_char, "
        "1 - (e.embedding::{full} <=> {q}::{full}) AS similarity, "
        "d.title, d.source, d.url, e.page, d.origin, d.version, d.fetched_at, d.content_hash, "
        "p.text AS previous"
    ).format(full=full, q=sql.Placeholder(vector_param))


def _index_name(collection_id: int) -> sql.Identifier:
    """The name of a collection's partial vector index."""
    return sql.Identifier(f"evidence_embedding_c{collection_id}")


def _drop_index_sql(collection_id: int) -> sql.Composed:
    return sql.SQL("DROP INDEX IF EXISTS {}").format(_index_name(collection_id))


def _vector_type(params: Mapping[str, Any]) -> str:
    """``vector`` or ``halfvec``: what a collection's index holds (older ones: ``vector``)."""
    kind = str(params.get(VECTOR_TYPE_KEY, "vector"))
    if kind not in get_args(IndexVectorType):
        raise ConfigError(f"unknown index vector type {kind!r}")
    return kind


def _vector_cast(dim: int, params: Mapping[str, Any]) -> sql.Composed:
    """``vector(dim)`` or ``halfvec(dim)``: the cast the index and its searches share."""
    return sql.SQL("{}({})").format(sql.SQL(_vector_type(params)), sql.Literal(dim))


def _index_ddl(
    collection_id: int, dim: int, kind: str, params: Mapping[str, int | str]
) -> sql.Composed:
    options = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(int(v)))
        for k, v in params.items()
        if k != VECTOR_TYPE_KEY
    )
    return sql.SQL(
        "CREATE INDEX IF NOT EXISTS {name} ON evidence USING {kind} "
        "((embedding::{cast}) {ops}) WITH ({options}) "
        "WHERE collection_id = {cid}"
    ).format(
        name=_index_name(collection_id),
        kind=sql.SQL(kind),
        cast=_vector_cast(dim, params),
        ops=sql.SQL(f"{_vector_type(params)}_cosine_ops"),
        options=options,
        cid=sql.Literal(collection_id),
    )

"""CollectionStore: collections and their vector indexes: create, list, index, drop."""

from __future__ import annotations

import json

from psycopg import sql
from psycopg.rows import dict_row

from truthgraph.db.pooled import PooledStore
from truthgraph.db.sql import VECTOR_TYPE_KEY, _collection, _drop_index_sql, _index_ddl, _index_name
from truthgraph.domain import check_collection_name
from truthgraph.errors import ConfigError, NotFoundError
from truthgraph.ports import Collection
from truthgraph.settings import RetrievalSettings


class CollectionStore(PooledStore):
    """Collections and their vector indexes: create, list, index, drop."""

    def get_collection(self, name: str) -> Collection:
        """The collection called ``name``; NotFoundError if there is none."""
        check_collection_name(name)
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
        check_collection_name(name)
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

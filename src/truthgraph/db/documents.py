"""DocumentStore: documents and their evidence sentences (deduplicated by content hash)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg.rows import dict_row

from truthgraph.db.pooled import PooledStore
from truthgraph.db.provenance import insert_document
from truthgraph.db.records import DocumentRecord
from truthgraph.db.sql import _iso, _vector_literal
from truthgraph.domain import (
    RawDocument,
    Sentence,
)
from truthgraph.errors import NotFoundError
from truthgraph.ports import Collection


class DocumentStore(PooledStore):
    """Documents and their evidence sentences: add (deduplicated by content hash), read, delete."""

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

        One transaction: either every document of the batch is stored or none is, and the
        evidence sentences of the whole batch go in with one COPY. A document whose hash is
        already in the collection is skipped, so a batch written twice (a retried task) stores
        nothing the second time. Returns the number stored.
        """
        stored = 0
        rows: list[tuple[object, ...]] = []
        offset = 0
        with self._connection() as conn, conn.transaction():
            for document, content_hash, sentences in documents:
                vectors = embeddings[offset : offset + len(sentences)]
                offset += len(sentences)
                if document.origin is not None and rows:
                    # a new version retires the earlier ones' sentences: write those first
                    _copy_evidence(conn, rows)
                    rows = []
                document_id = insert_document(conn, collection.id, document, content_hash)
                if document_id is None:
                    continue
                rows.extend(
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
                    for position, (sentence, vector) in enumerate(
                        zip(sentences, vectors, strict=True)
                    )
                )
                stored += 1
            _copy_evidence(conn, rows)
        return stored

    def count_evidence(self, collection: Collection) -> int:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM evidence WHERE collection_id = %s", (collection.id,)
            ).fetchone()
        return int(row[0]) if row else 0

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


def _copy_evidence(conn: psycopg.Connection[Any], rows: Sequence[tuple[object, ...]]) -> None:
    """Write evidence rows with one COPY."""
    if not rows:
        return
    with conn.cursor().copy(
        "COPY evidence (document_id, collection_id, position, text, start_char,"
        " end_char, embedding, page) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)

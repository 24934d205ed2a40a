"""Storing a document with its provenance, inside the caller's transaction.

A document with an ``origin`` (a web page, PDF or URL) is versioned per origin and collection:
new content from the same origin is stored as the next version, and the evidence sentences of
the earlier versions leave the collection (their documents stay, so past verdicts still name
and show the version they cited). Content already stored is not stored again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import psycopg

from truthgraph.domain import RawDocument


def as_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 time as a ``timestamptz`` parameter."""
    return datetime.fromisoformat(value) if value else None


def insert_document(
    conn: psycopg.Connection[Any], collection_id: int, document: RawDocument, content_hash: str
) -> int | None:
    """Insert ``document``; its id, or None when the collection already holds its content."""
    version: int | None = None
    if document.origin is not None:
        # one writer at a time per origin, so two ingests of it cannot take the same version
        conn.execute(
            "SELECT pg_advisory_xact_lock(720415, hashtext(%s))",
            (f"{collection_id}:{document.origin}",),
        )
        row = conn.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM documents "
            "WHERE collection_id = %s AND origin = %s",
            (collection_id, document.origin),
        ).fetchone()
        version = int(row[0]) if row else 1
    inserted = conn.execute(
        """
        INSERT INTO documents (collection_id, external_id, title, source, url, content,
                               content_hash, metadata, origin, version, fetched_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (collection_id, content_hash) DO NOTHING RETURNING id
        """,
        (
            collection_id,
            document.external_id,
            document.title,
            document.source,
            document.url,
            document.text,
            content_hash,
            json.dumps(document.metadata, default=str),
            document.origin,
            version,
            as_timestamp(document.fetched_at),
        ),
    ).fetchone()
    if inserted is None:
        return None
    document_id = int(inserted[0])
    if document.origin is not None and version is not None and version > 1:
        retire_earlier_versions(conn, collection_id, document.origin, document_id)
    return document_id


def retire_earlier_versions(
    conn: psycopg.Connection[Any], collection_id: int, origin: str, current_id: int
) -> None:
    """Mark the origin's other versions superseded and take their sentences out of search."""
    conn.execute(
        """
        WITH retired AS (
            UPDATE documents SET superseded_at = now()
            WHERE collection_id = %s AND origin = %s AND id <> %s AND superseded_at IS NULL
            RETURNING id
        )
        DELETE FROM evidence WHERE document_id IN (SELECT id FROM retired)
        """,
        (collection_id, origin, current_id),
    )

"""SQL pieces shared by the parts of ``PgvectorEvidenceStore``: row readers, index DDL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

import numpy as np
from psycopg import sql

from truthgraph.domain import EvidenceHit
from truthgraph.errors import ConfigError
from truthgraph.ports import Collection
from truthgraph.settings import IndexVectorType

# The key of ``collections.index_params`` naming the index's vector type, when not ``vector``.
VECTOR_TYPE_KEY = "vector_type"


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

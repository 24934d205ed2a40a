"""PgKeyStore: API keys and their scopes, kept in PostgreSQL as SHA-256 hashes.

A key grants reading and/or writing named collections (``*`` for all of them) or the admin
scope (everything). The key itself is shown once, when it is made; only its hash and its
first characters (to tell keys apart in a listing) are stored. Revoked keys stay listed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from truthgraph.db.pooled import PooledStore
from truthgraph.domain import check_characters, check_collection_name
from truthgraph.errors import InvalidInputError, NotFoundError

KEY_PREFIX = "tg_"
ALL_COLLECTIONS = "*"


def hash_key(key: str) -> str:
    """The stored form of a key (keys are 256 random bits, so a plain hash is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A key's name and scopes (never the key)."""

    name: str
    prefix: str
    admin: bool
    read: tuple[str, ...]
    write: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _scope(collections: Sequence[str]) -> list[str]:
    return sorted({c if c == ALL_COLLECTIONS else check_collection_name(c) for c in collections})


class PgKeyStore(PooledStore):
    """Make, list, find and revoke API keys."""

    def add(
        self,
        name: str,
        read: Sequence[str] = (),
        write: Sequence[str] = (),
        admin: bool = False,
    ) -> tuple[str, ApiKeyRecord]:
        """A new key (returned once, never stored) and its record."""
        check_characters(name, "the key name")
        if not name.strip() or len(name) > 100:
            raise InvalidInputError("a key name must be 1 to 100 characters")
        if not (admin or read or write):
            raise InvalidInputError("a key needs a scope: --read, --write or --admin")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            try:
                row = cur.execute(
                    """
                    INSERT INTO api_keys (name, key_hash, prefix, admin, can_read, can_write)
                    VALUES (%s, %s, %s, %s, %s, %s) RETURNING *
                    """,
                    (name, hash_key(key), key[:8], admin, _scope(read), _scope(write)),
                ).fetchone()
            except psycopg.errors.UniqueViolation as exc:
                raise InvalidInputError(f"a key named {name!r} exists already") from exc
        assert row is not None
        return key, _record(row)

    def list(self) -> list[ApiKeyRecord]:
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute("SELECT * FROM api_keys ORDER BY name").fetchall()
        return [_record(r) for r in rows]

    def revoke(self, name: str) -> ApiKeyRecord:
        """Revoke the key called ``name``; NotFoundError if there is none."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                """
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
                WHERE name = %s RETURNING *
                """,
                (name,),
            ).fetchone()
        if row is None:
            raise NotFoundError(f"no API key named {name!r}")
        return _record(row)

    def active_keys(self) -> dict[str, ApiKeyRecord]:
        """Every key that is not revoked, by its hash."""
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute("SELECT * FROM api_keys WHERE revoked_at IS NULL").fetchall()
        return {r["key_hash"]: _record(r) for r in rows}


def _record(row: dict[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        name=row["name"],
        prefix=row["prefix"],
        admin=bool(row["admin"]),
        read=tuple(row["can_read"]),
        write=tuple(row["can_write"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )

"""Who is asking, and which collections they may read and write.

Keys come from two places: ``TRUTHGRAPH_API_KEYS`` (each an admin key, for a quick set-up)
and ``truthgraph keys add`` (stored hashed in PostgreSQL, each with its collections). With
no key of either kind, the service is open (the local default) and every request acts as an
anonymous admin. Once any key exists, every API request needs one, and what it can see is
filtered by its scopes:

    read      verify, search, read documents, history and jobs of the collection
    write     add and delete documents (write implies read)
    admin     every collection

Stored keys are read from the database at most every ``KEY_REFRESH_S`` seconds, so a key made
or revoked with the CLI takes effect within that time without a restart.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from truthgraph.db.keys import ALL_COLLECTIONS, ApiKeyRecord, hash_key

KEY_REFRESH_S = 2.0


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a key's scopes, or the anonymous admin of an open service."""

    name: str
    admin: bool = False
    read: frozenset[str] = frozenset()
    write: frozenset[str] = frozenset()

    def can_write(self, collection: str) -> bool:
        return self.admin or ALL_COLLECTIONS in self.write or collection in self.write

    def can_read(self, collection: str) -> bool:
        return (
            self.admin
            or ALL_COLLECTIONS in self.read
            or collection in self.read
            or self.can_write(collection)
        )

    @property
    def readable(self) -> frozenset[str] | None:
        """The collections this caller may read; None for all of them."""
        if self.admin or ALL_COLLECTIONS in self.read | self.write:
            return None
        return self.read | self.write


ANONYMOUS = Principal("anonymous", admin=True)


def _principal(record: ApiKeyRecord) -> Principal:
    return Principal(
        record.name, admin=record.admin, read=frozenset(record.read), write=frozenset(record.write)
    )


class Authenticator:
    """Finds the principal of a presented key."""

    def __init__(
        self,
        env_keys: list[str],
        stored_keys: Callable[[], dict[str, ApiKeyRecord]] | None = None,
        refresh_s: float = KEY_REFRESH_S,
    ) -> None:
        self._env = [k.encode() for k in env_keys if k]
        self._load = stored_keys
        self._refresh_s = refresh_s
        self._stored: dict[str, ApiKeyRecord] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def attach(self, stored_keys: Callable[[], dict[str, ApiKeyRecord]]) -> None:
        """Read stored keys through ``stored_keys`` from now on (once the database is up)."""
        with self._lock:
            self._load = stored_keys
            self._loaded_at = float("-inf")

    def _stored_keys(self) -> dict[str, ApiKeyRecord]:
        with self._lock:
            if self._load is not None and time.monotonic() - self._loaded_at > self._refresh_s:
                self._stored = self._load()
                self._loaded_at = time.monotonic()
            return self._stored

    def authenticate(self, key: str | None) -> Principal | None:
        """The principal of ``key``; ANONYMOUS for an open service; None if not valid."""
        stored = self._stored_keys()
        if not self._env and not stored:
            return ANONYMOUS
        if key is None:
            return None
        candidate = key.encode()
        # compare with every env key, so timing does not tell which one nearly matched
        if any([hmac.compare_digest(candidate, k) for k in self._env]):
            return Principal("env-key", admin=True)
        record = stored.get(hash_key(key))  # a hash lookup: no timing signal about the key
        return _principal(record) if record is not None else None

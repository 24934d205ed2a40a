"""API key scopes: what a principal may read and write, and how keys are found."""

from __future__ import annotations

from datetime import UTC, datetime

from truthgraph.api.auth import ANONYMOUS, Authenticator, Principal
from truthgraph.db.keys import ApiKeyRecord, hash_key


def _record(name: str, read: tuple[str, ...] = (), write: tuple[str, ...] = ()) -> ApiKeyRecord:
    return ApiKeyRecord(name, "tg_abcde", False, read, write, datetime.now(UTC), None)


def test_write_implies_read_and_star_means_every_collection() -> None:
    writer = Principal("w", write=frozenset({"alpha"}))
    assert writer.can_read("alpha") and writer.can_write("alpha")
    assert not writer.can_read("beta")
    reader = Principal("r", read=frozenset({"*"}))
    assert reader.can_read("anything") and not reader.can_write("anything")
    assert reader.readable is None and writer.readable == frozenset({"alpha"})


def test_an_open_service_is_anonymous_admin_until_a_key_exists() -> None:
    stored: dict[str, ApiKeyRecord] = {}
    auth = Authenticator([], lambda: stored, refresh_s=0)
    assert auth.authenticate(None) is ANONYMOUS
    stored[hash_key("tg_secret")] = _record("alpha", write=("alpha",))
    assert auth.authenticate(None) is None
    assert auth.authenticate("tg_wrong") is None
    found = auth.authenticate("tg_secret")
    assert found is not None and found.name == "alpha" and found.can_write("alpha")


def test_environment_keys_are_admin_keys() -> None:
    auth = Authenticator(["env-key"], lambda: {}, refresh_s=0)
    found = auth.authenticate("env-key")
    assert found is not None and found.admin
    assert auth.authenticate("other") is None

"""One tenant cannot learn about another's records: a lookup of another tenant's id reads
exactly like a lookup of a missing id, and a key is refused before its request causes any
parsing or fetching (issue 33)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from truthgraph.api.auth import Authenticator
from truthgraph.db.keys import ApiKeyRecord, hash_key

pytestmark = [pytest.mark.integration, pytest.mark.models]

ADMIN = "tg_test-admin"
OTHER = "tg_test-other-tenant"  # reads and writes only a collection of its own
READER = "tg_test-reader"  # reads the demo collection, writes nothing


def _record(
    name: str, admin: bool = False, read: tuple[str, ...] = (), write: tuple[str, ...] = ()
) -> ApiKeyRecord:
    return ApiKeyRecord(name, name[:8], admin, read, write, datetime.now(UTC), None)


@pytest.fixture(scope="module")
def keyed(app: FastAPI, client: TestClient, demo_collection: str) -> Iterator[TestClient]:
    """The module's client, once the app knows three stored keys (this app only: the keys are
    not written to the shared database)."""
    authenticator: Authenticator = app.state.authenticator
    keys = {
        hash_key(ADMIN): _record("admin", admin=True),
        hash_key(OTHER): _record("other", write=("tenancy-other",)),
        hash_key(READER): _record("reader", read=(demo_collection,)),
    }
    authenticator.attach(lambda: keys)
    yield client
    authenticator.attach(dict)


def _as(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_another_tenants_record_reads_exactly_like_a_missing_one(
    keyed: TestClient, demo_collection: str
) -> None:
    admin = _as(ADMIN)
    verdict = keyed.post(
        "/api/v1/verify",
        json={"claim": "Saxony is in Ireland.", "collection": demo_collection},
        headers=admin,
    ).json()
    document = keyed.post(
        "/api/v1/documents",
        json={"collection": demo_collection, "text": "The tenancy archive opened in 1921."},
        headers=admin,
    ).json()["document"]
    job = keyed.post(
        "/api/v1/verify/batch",
        json={"claims": ["Saxony is in Ireland."], "collection": demo_collection},
        headers=admin,
    ).json()
    missing_job = "00000000-0000-4000-8000-000000000000"
    lookups = {
        # path of another tenant's record, path of a missing one of the same kind
        "claim": (f"/claims/{verdict['claim_id']}", "/claims/999999999"),
        "verdict": (f"/verdicts/{verdict['verdict_id']}", "/verdicts/999999999"),
        "document": (f"/documents/{document['id']}", "/documents/999999999"),
        "job": (f"/jobs/{job['id']}", f"/jobs/{missing_job}"),
    }
    for what, (theirs, missing) in lookups.items():
        seen = keyed.get("/api/v1" + theirs, headers=_as(OTHER))
        absent = keyed.get("/api/v1" + missing, headers=_as(OTHER))
        assert seen.status_code == absent.status_code == 404, what
        # the same words, the id aside
        theirs_id, missing_id = theirs.rsplit("/", 1)[1], missing.rsplit("/", 1)[1]
        assert seen.json()["error"]["message"].replace(theirs_id, "ID") == absent.json()["error"][
            "message"
        ].replace(missing_id, "ID"), what
    deleted = keyed.delete(f"/api/v1/documents/{document['id']}", headers=_as(OTHER))
    absent = keyed.delete("/api/v1/documents/999999999", headers=_as(OTHER))
    assert deleted.status_code == absent.status_code == 404


def test_a_key_without_access_is_refused_before_the_upload_is_parsed(
    keyed: TestClient, demo_collection: str
) -> None:
    # a file that would fail to parse (422) if it were read at all
    broken = ("paper.pdf", b"%PDF-1.7 not really a PDF", "application/pdf")
    checked = keyed.post(
        "/api/v1/check",
        data={"collection": demo_collection},
        files={"file": broken},
        headers=_as(OTHER),
    )
    assert checked.status_code == 403, checked.text
    stored = keyed.post(
        "/api/v1/documents",
        data={"collection": demo_collection},
        files={"file": broken},
        headers=_as(READER),
    )
    assert stored.status_code == 403, stored.text


def test_a_key_without_access_is_refused_before_the_url_is_fetched(
    keyed: TestClient, demo_collection: str
) -> None:
    # port 9 on loopback: a fetch would be refused (private address) or fail, either not 403
    url = "http://127.0.0.1:9/page.html"
    checked = keyed.post(
        "/api/v1/check", json={"url": url, "collection": demo_collection}, headers=_as(OTHER)
    )
    assert checked.status_code == 403, checked.text
    stored = keyed.post(
        "/api/v1/documents", json={"url": url, "collection": demo_collection}, headers=_as(READER)
    )
    assert stored.status_code == 403, stored.text

"""By default the service refuses to fetch URLs of its own network (loopback, private and
reserved addresses), redirects included; the CLI fetches them (local-first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web import FakeDNS, LoopbackSite, Route, article_html, loopback_site

pytestmark = [pytest.mark.integration, pytest.mark.models]


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        yield site


def test_the_service_refuses_a_loopback_url_by_default(
    client: TestClient, site: LoopbackSite
) -> None:
    response = client.post(
        "/api/v1/documents", json={"collection": "guarded", "url": site.url("/rivers")}
    )
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert message.startswith(site.url("/rivers")) and "loopback, private or reserved" in message
    assert site.user_agents == []  # refused before any request was sent


def _idna_attack(monkeypatch: pytest.MonkeyPatch, site: LoopbackSite) -> str:
    """Issue 33's bypass: older IDNA rules map faß to fass (public), the client's IDNA 2008
    keeps ß (xn--fa-hia), whose address is loopback."""
    FakeDNS.install(
        monkeypatch, {"fass.example": ["93.184.216.34"], "xn--fa-hia.example": ["127.0.0.1"]}
    )
    return f"http://faß.example:{site.base.rsplit(':', 1)[1]}/rivers"


def test_an_idna_name_of_a_loopback_address_is_refused(
    client: TestClient, site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _idna_attack(monkeypatch, site)
    before = len(site.user_agents)
    response = client.post("/api/v1/documents", json={"collection": "guarded", "url": url})
    assert response.status_code == 422, response.text
    assert "loopback, private or reserved" in response.json()["error"]["message"]
    response = client.post("/api/v1/check", json={"collection": "guarded", "url": url})
    assert response.status_code == 422, response.text
    assert len(site.user_agents) == before  # the loopback server received nothing


def test_a_name_whose_lookup_fails_is_refused(
    client: TestClient, site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeDNS.install(monkeypatch, {"flaky.example": [None, "127.0.0.1"]})
    url = f"http://flaky.example:{site.base.rsplit(':', 1)[1]}/rivers"
    before = len(site.user_agents)
    response = client.post("/api/v1/documents", json={"collection": "guarded", "url": url})
    assert response.status_code == 422, response.text
    assert "cannot resolve flaky.example" in response.json()["error"]["message"]
    assert len(site.user_agents) == before

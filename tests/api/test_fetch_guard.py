"""By default the service refuses to fetch URLs of its own network (loopback, private and
reserved addresses), redirects included; the CLI fetches them (local-first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.web import LoopbackSite, Route, article_html, loopback_site

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

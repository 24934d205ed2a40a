"""A fetched URL's host is resolved once, every address is checked, and the connection goes
to the checked address: the bypasses of issue 33 (an IDNA name the check encoded by older
rules, a name that rebinds between the check and the connection, a lookup that fails during
the check, a redirect to a private name), each with a resolver the test controls and a server
on 127.0.0.1 that must receive nothing it should not."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import httpx
import pytest

from tests.web import FakeDNS, LoopbackSite, Route, article_html, loopback_site
from truthgraph.errors import SourceError
from truthgraph.ingest import fetch as fetch_module
from truthgraph.ingest.fetch import PinnedTransport
from truthgraph.ingest.sources import read_url
from truthgraph.settings import FetchSettings

FAST = FetchSettings(timeout_s=2.0, max_bytes=64 * 1024, max_redirects=3)


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with loopback_site() as site:
        site.routes["/rivers"] = Route(body=article_html())
        yield site


def _dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str | None]]) -> FakeDNS:
    return FakeDNS.install(monkeypatch, table)


def _only_loopback_one_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make 127.0.0.1 count as a public address (and every other as private), so a test can
    play a public server on loopback."""

    def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return str(address) == "127.0.0.1"

    monkeypatch.setattr(fetch_module, "_is_public", is_public)


def test_an_idna_name_is_checked_as_the_client_encodes_it(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # IDNA 2003 maps faß to fass (a public address); IDNA 2008, which httpx uses, keeps ß
    # (xn--fa-hia), whose address is loopback.
    dns = _dns(
        monkeypatch, {"fass.example": ["93.184.216.34"], "xn--fa-hia.example": ["127.0.0.1"]}
    )
    url = f"http://faß.example:{site.base.rsplit(':', 1)[1]}/rivers"
    with pytest.raises(SourceError, match="xn--fa-hia.example is a loopback, private or reserved"):
        read_url(url, FAST, allow_private=False)
    assert site.user_agents == []
    assert dns.lookups == ["xn--fa-hia.example"]


def test_a_failed_lookup_refuses_the_url(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first lookup fails, a second would answer loopback: the check must not fail open.
    _dns(monkeypatch, {"flaky.example": [None, "127.0.0.1"]})
    url = f"http://flaky.example:{site.base.rsplit(':', 1)[1]}/rivers"
    with pytest.raises(SourceError, match="cannot resolve flaky.example"):
        read_url(url, FAST, allow_private=False)
    assert site.user_agents == []


def test_a_host_is_resolved_once_and_the_checked_address_is_connected_to(
    site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rebinding name: the first lookup answers the "public" 127.0.0.1; any later lookup
    # fails, so a client that resolves again to connect cannot fetch at all.
    _only_loopback_one_is_public(monkeypatch)
    dns = _dns(monkeypatch, {"rebind.example": ["127.0.0.1", None]})
    port = site.base.rsplit(":", 1)[1]
    document = read_url(f"http://rebind.example:{port}/rivers", FAST, allow_private=False)
    assert document.metadata["fetched_url"] == f"http://rebind.example:{port}/rivers"
    assert dns.lookups == ["rebind.example"]
    assert site.hosts == [f"rebind.example:{port}"]  # the Host header names the host


def test_every_redirect_hop_is_checked(site: LoopbackSite, monkeypatch: pytest.MonkeyPatch) -> None:
    _only_loopback_one_is_public(monkeypatch)
    port = site.base.rsplit(":", 1)[1]
    site.routes["/away"] = Route(status=302, location=f"http://inside.example:{port}/rivers")
    dns = _dns(monkeypatch, {"public.example": ["127.0.0.1"], "inside.example": ["127.0.0.2"]})
    with pytest.raises(SourceError, match="inside.example is a loopback, private or reserved"):
        read_url(f"http://public.example:{port}/away", FAST, allow_private=False)
    assert site.hosts == [f"public.example:{port}"]  # the first hop only
    assert dns.lookups == ["public.example", "inside.example"]


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(SourceError, match="mixed.example is a loopback, private or reserved"):
        fetch_module.fetch("http://mixed.example/", FAST, allow_private=False, resolve=resolve)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1", "fd00::1"]
)
def test_private_literals_and_mapped_addresses_are_refused(address: str) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return [address]

    with pytest.raises(SourceError, match="loopback, private or reserved"):
        fetch_module.fetch("http://name.example/", FAST, allow_private=False, resolve=resolve)


def test_the_pinned_request_keeps_the_host_header_and_the_tls_server_name() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="ok")

    transport = PinnedTransport("https://news.example/a", lambda h, p: ["93.184.216.34"], False)
    transport._inner = httpx.MockTransport(handler)  # type: ignore[assignment]
    with httpx.Client(transport=transport) as client:
        client.get("https://news.example/a?b=1")
    (request,) = seen
    assert str(request.url) == "https://93.184.216.34/a?b=1"
    assert request.headers["Host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"

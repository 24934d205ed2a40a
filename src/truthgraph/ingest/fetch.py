"""Fetch one ``http(s)://`` source with httpx: timeouts, a redirect limit, a size cap, a
content-type check and a User-Agent naming TruthGraph. Every host (the first and every
redirect's) is resolved once and connected to at the address that was resolved and checked
(``PinnedTransport``). Every failure is a one-line ``SourceError`` that names the URL."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeAlias

import httpx

from truthgraph.errors import SourceError
from truthgraph.settings import FetchSettings

# What a fetched body may be, by its media type, and the reader that handles it.
MEDIA_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
_URL = re.compile(r"^https?://", re.IGNORECASE)
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.1"
IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_url(value: str) -> bool:
    """Whether ``value`` is an ``http://`` or ``https://`` URL (else it names a file)."""
    return bool(_URL.match(value.strip()))


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body and what the server said about it."""

    url: str  # as asked for
    final_url: str  # after redirects
    kind: str  # "html" or "pdf"
    media_type: str
    charset: str | None
    body: bytes
    fetched_at: str  # ISO 8601, UTC


def _media_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for part in parts[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return parts[0].lower(), charset


def _sniff(body: bytes) -> str | None:
    head = body[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


Resolver = Callable[[str, int], list[str]]
"""A host name (ASCII, as the client puts it on the wire) and a port -> its addresses."""


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (the system resolver); ``socket.gaierror`` when it
    does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport that resolves each request's host once, checks every address it
    resolves to, and connects to a checked address, keeping the Host header and the TLS
    server name of the URL. Every hop of a redirect goes through it, so every hop is
    checked the same way. The host is the one httpx itself puts on the wire (its IDNA 2008
    / UTS 46 encoding, ``url.raw_host``), never a name re-encoded by other rules; a lookup
    that fails or returns nothing refuses the request. ``allow_private=False`` refuses a
    host with any loopback, private, link-local, multicast or reserved address."""

    def __init__(self, where: str, resolve: Resolver, allow_private: bool) -> None:
        self._where = where
        self._resolve = resolve
        self._allow_private = allow_private
        # No kept-alive connections: each connection serves one host name's checked address.
        # The environment (proxies, certificate files) is trusted only where private
        # addresses are allowed anyway: a proxy would resolve the name again.
        self._inner = httpx.HTTPTransport(
            trust_env=allow_private, limits=httpx.Limits(max_keepalive_connections=0)
        )

    def _addresses(self, url: httpx.URL) -> tuple[str, list[IPAddress]]:
        try:
            host = url.raw_host.decode("ascii")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{self._where}: the host name is not valid") from exc
        if not host:
            raise SourceError(f"{self._where}: the URL names no host")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            literal = ipaddress.ip_address(host.split("%")[0])
        except ValueError:
            literal = None
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                found = self._resolve(host, port)
            except (OSError, UnicodeError) as exc:
                raise SourceError(
                    f"{self._where}: cannot resolve {host} ({exc}); nothing was fetched"
                ) from exc
            try:
                addresses = [ipaddress.ip_address(str(a).split("%")[0]) for a in found]
            except ValueError as exc:
                raise SourceError(f"{self._where}: {host} resolved to a bad address") from exc
            if not addresses:
                raise SourceError(f"{self._where}: {host} resolves to no address")
        if not self._allow_private and not all(_is_public(a) for a in addresses):
            raise SourceError(
                f"{self._where}: {host} is a loopback, private or reserved address, and this "
                "server fetches public URLs only (TRUTHGRAPH_API_FETCH_PRIVATE_URLS=true "
                "allows them)"
            )
        return host, addresses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host, addresses = self._addresses(request.url)
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = host
        failure: httpx.TransportError | None = None
        for address in addresses:
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=str(address)),
                headers=request.headers,  # the Host header names the host, not the address
                stream=request.stream,
                extensions=extensions,
            )
            try:
                return self._inner.handle_request(pinned)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def close(self) -> None:
        self._inner.close()


def fetch(
    url: str,
    settings: FetchSettings,
    max_bytes: int | None = None,
    allow_private: bool = True,
    resolve: Resolver | None = None,
) -> Fetched:
    """GET ``url``; SourceError on a network failure, an HTTP error status, a redirect loop,
    a body over ``max_bytes`` (default ``settings.max_bytes``) or a type that is not HTML or
    PDF. ``settings.timeout_s`` bounds each network step, and four times it the whole fetch.
    ``allow_private=False`` refuses hosts (the first or any redirect's) that resolve to
    loopback, private or reserved addresses. Each host is resolved once (``resolve``, the
    system resolver by default) and connected to at the address checked (see
    ``PinnedTransport``)."""
    cap = min(max_bytes or settings.max_bytes, settings.max_bytes)
    deadline = time.monotonic() + 4 * settings.timeout_s
    where = url.strip()
    transport = PinnedTransport(where, resolve or resolve_host, allow_private)
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=settings.max_redirects,
                timeout=httpx.Timeout(settings.timeout_s),
                headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
                transport=transport,
                trust_env=allow_private,  # a proxy from the environment would skip the check
            ) as client,
            client.stream("GET", where) as response,
        ):
            fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
            if response.status_code >= 400:
                reason = response.reason_phrase or ""
                raise SourceError(f"{where}: HTTP {response.status_code} {reason}".rstrip())
            media_type, charset = _media_type(response.headers.get("content-type", ""))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise SourceError(f"{where}: the body is {int(declared)} bytes; the cap is {cap}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise SourceError(f"{where}: the body is larger than the cap of {cap} bytes")
                if time.monotonic() > deadline:
                    raise SourceError(
                        f"{where}: timed out (the body took more than {4 * settings.timeout_s:g} s)"
                    )
                chunks.append(chunk)
            final_url = str(response.url)
    except httpx.TimeoutException as exc:
        raise SourceError(f"{where}: timed out after {settings.timeout_s:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise SourceError(
            f"{where}: more than {settings.max_redirects} redirects (a redirect loop?)"
        ) from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise SourceError(f"{where}: not a valid http(s) URL ({exc})") from exc
    except httpx.HTTPError as exc:
        raise SourceError(f"{where}: cannot fetch ({type(exc).__name__}: {exc})") from exc
    body = b"".join(chunks)
    kind = MEDIA_TYPES.get(media_type)
    if kind is None and media_type in ("", "application/octet-stream"):
        kind = _sniff(body)
    if kind is None:
        raise SourceError(f"{where}: content type {media_type or '(none)'} is neither HTML nor PDF")
    return Fetched(
        url=where,
        final_url=final_url,
        kind=kind,
        media_type=media_type or ("application/pdf" if kind == "pdf" else "text/html"),
        charset=charset,
        body=body,
        fetched_at=fetched_at,
    )

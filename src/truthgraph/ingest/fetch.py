"""Fetch one ``http(s)://`` source with httpx: timeouts, a redirect limit, a size cap, a
content-type check and a User-Agent naming TruthGraph. Every failure is a one-line
``SourceError`` that names the URL."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

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


def _public_only(where: str) -> Callable[[httpx.Request], None]:
    """A request hook (it runs for every redirect too) that refuses a host resolving to a
    loopback, private, link-local or otherwise non-global address."""

    def check(request: httpx.Request) -> None:
        host = request.url.host
        try:
            infos = socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            return  # httpx reports the failure to resolve
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if not address.is_global:
                raise SourceError(
                    f"{where}: {host} is a loopback, private or reserved address, and this "
                    "server fetches public URLs only (TRUTHGRAPH_API_FETCH_PRIVATE_URLS=true "
                    "allows them)"
                )

    return check


def fetch(
    url: str, settings: FetchSettings, max_bytes: int | None = None, allow_private: bool = True
) -> Fetched:
    """GET ``url``; SourceError on a network failure, an HTTP error status, a redirect loop,
    a body over ``max_bytes`` (default ``settings.max_bytes``) or a type that is not HTML or
    PDF. ``settings.timeout_s`` bounds each network step, and four times it the whole fetch.
    ``allow_private=False`` refuses hosts (the first or any redirect's) that resolve to
    loopback, private or reserved addresses."""
    cap = min(max_bytes or settings.max_bytes, settings.max_bytes)
    deadline = time.monotonic() + 4 * settings.timeout_s
    where = url.strip()
    hooks = {} if allow_private else {"request": [_public_only(where)]}
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=settings.max_redirects,
                timeout=httpx.Timeout(settings.timeout_s),
                headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
                event_hooks=hooks,
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

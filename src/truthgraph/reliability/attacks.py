"""Issue 33's attacks as reliability scenarios, each with a pass/fail and its timings.

- ``upload_flood``: one tenant floods a real server with slowly trickling uploads while
  another tenant verifies; passes when every one of the other tenant's ``/verify`` answers
  200 within ``VERIFY_BOUND_S`` and every upload is answered (202, or 503 with Retry-After).
- ``long_paragraph``: one 200 KB paragraph sent to ``POST /documents`` and ``POST /check``;
  passes when each is stored or refused within ``PARAGRAPH_BOUND_S``.
- ``ssrf``: names that resolve to loopback (an IDNA name whose older encoding is public, a
  name with a public and a loopback address, a name whose lookup fails) fetched the service's
  way, through a resolver the scenario controls; passes when each is refused and the loopback
  target received nothing. In process: the resolver is injected, nothing leaves loopback.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from truthgraph.errors import TruthGraphError
from truthgraph.ingest.fetch import fetch
from truthgraph.reliability.processes import Server
from truthgraph.settings import FetchSettings

VERIFY_BOUND_S = 2.0
PARAGRAPH_BOUND_S = 2.0
TENANT_A = "reliability-tenant-a-0123456789"
TENANT_B = "reliability-tenant-b-0123456789"
SERVER_ENV = {"TRUTHGRAPH_API_KEYS": f"{TENANT_A},{TENANT_B}"}
"""What ``upload_flood`` and ``long_paragraph`` need of the server's environment."""


@dataclass
class AttackResult:
    """One scenario: whether it held, how long it took, and what it measured."""

    name: str
    attack: str
    passed: bool
    seconds: float
    details: dict[str, str] = field(default_factory=dict)


# -- the upload flood ------------------------------------------------------------------------


def _form(index: int, payload: bytes, boundary: str) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\nflood\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="flood-{index}.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def _trickle(body: bytes, pieces: int, pause_s: float) -> AsyncIterator[bytes]:
    step = -(-len(body) // pieces)
    for start in range(0, len(body), step):
        yield body[start : start + step]
        await asyncio.sleep(pause_s)


async def _flood(
    url: str, collection: str, uploads: int, trickle_s: float, verifies: int
) -> tuple[list[httpx.Response], list[tuple[int, float]]]:
    boundary = "reliability-flood"
    payload = (b"The flood river carries silt to the delta every spring. " * 430)[:24_000]
    limits = httpx.Limits(max_connections=uploads + 5)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        claim = {"claim": "The demo corpus holds maps.", "collection": collection}
        a_key = {"X-API-Key": TENANT_A}
        await client.post("/api/v1/verify", json=claim, headers=a_key)  # warm
        headers = {
            "X-API-Key": TENANT_B,
            "content-type": f"multipart/form-data; boundary={boundary}",
        }
        flood = [
            asyncio.create_task(
                client.post(
                    "/api/v1/documents",
                    content=_trickle(_form(i, payload, boundary), 8, trickle_s / 8),
                    headers=headers,
                )
            )
            for i in range(uploads)
        ]
        await asyncio.sleep(0.5)
        timings: list[tuple[int, float]] = []
        for _ in range(verifies):
            began = time.perf_counter()
            response = await client.post("/api/v1/verify", json=claim, headers=a_key)
            timings.append((response.status_code, time.perf_counter() - began))
        answered = await asyncio.gather(*flood)
    return list(answered), timings


def upload_flood(
    server: Server, collection: str, uploads: int = 40, trickle_s: float = 3.0, verifies: int = 5
) -> AttackResult:
    """``uploads`` multipart uploads by tenant B, each body trickling in over ``trickle_s``,
    and meanwhile ``verifies`` sequential ``/verify`` by tenant A (``server`` started with
    ``SERVER_ENV``)."""
    began = time.monotonic()
    answered, timings = asyncio.run(_flood(server.url, collection, uploads, trickle_s, verifies))
    statuses = [r.status_code for r in answered]
    refused = [r for r in answered if r.status_code in (429, 503)]
    worst = max(s for _, s in timings)
    passed = (
        all(code == 200 for code, _ in timings)
        and worst < VERIFY_BOUND_S
        and all(code in (202, 429, 503) for code in statuses)
        and all("Retry-After" in r.headers for r in refused)
    )
    return AttackResult(
        "upload flood",
        f"{uploads} uploads by one key, each trickling in over {trickle_s:.0f} s",
        passed,
        time.monotonic() - began,
        {
            "other key's /verify (s)": ", ".join(f"{s:.2f}" for _, s in timings),
            "slowest /verify (s)": f"{worst:.2f} (bound {VERIFY_BOUND_S:.0f})",
            "uploads accepted (202)": str(statuses.count(202)),
            "uploads refused with Retry-After": str(len(refused)),
            "other answers": str(sorted(c for c in statuses if c not in (202, 429, 503))),
        },
    )


# -- the long paragraph ----------------------------------------------------------------------


def long_paragraph(server: Server, collection: str, chars: int = 200_000) -> AttackResult:
    """One paragraph of ``chars`` characters (sentences, no line break) sent to
    ``POST /documents`` and ``POST /check``."""
    text = ("The long river bends west of the old mill and floods in April. " * (chars // 60))[
        :chars
    ]
    began = time.monotonic()
    details: dict[str, str] = {}
    passed = True
    headers = {"X-API-Key": TENANT_B}
    with httpx.Client(base_url=server.url, timeout=120, headers=headers) as client:
        for route, body in (
            ("/api/v1/documents", {"collection": "long", "text": text}),
            ("/api/v1/check", {"collection": collection, "text": text}),
        ):
            t0 = time.perf_counter()
            response = client.post(route, json=body)
            took = time.perf_counter() - t0
            ok = response.status_code in (200, 201, 202, 413) and took < PARAGRAPH_BOUND_S
            passed = passed and ok
            details[f"POST {route.removeprefix('/api/v1')}"] = (
                f"{response.status_code} in {took:.2f} s"
            )
    details["bound (s)"] = f"{PARAGRAPH_BOUND_S:.0f}"
    return AttackResult(
        "long paragraph",
        f"one {chars // 1000} KB paragraph, stored and checked",
        passed,
        time.monotonic() - began,
        details,
    )


# -- SSRF through a resolver the scenario controls --------------------------------------------


@contextmanager
def _target() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server that notes every request it receives; its port and the paths."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server interface
            seen.append(self.path)
            body = b"<html><body><p>Private page of the server's own network.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


class TableResolver:
    """A resolver from a table (host -> addresses; an empty list: the lookup fails), counting
    the names it was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        addresses = self.table.get(host, [])
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} does not resolve")
        return addresses


SSRF_CASES: dict[str, tuple[str, dict[str, list[str]]]] = {
    # issue 33: older IDNA rules map faß to fass (public), IDNA 2008 keeps ß (loopback)
    "IDNA name (faß.example) of a loopback address": (
        "faß.example",
        {"fass.example": ["93.184.216.34"], "xn--fa-hia.example": ["127.0.0.1"]},
    ),
    "name with a public and a loopback address": (
        "mixed.example",
        {"mixed.example": ["93.184.216.34", "127.0.0.1"]},
    ),
    "IPv4-mapped IPv6 loopback address": (
        "mapped.example",
        {"mapped.example": ["::ffff:127.0.0.1"]},
    ),
    "name whose lookup fails": ("flaky.example", {}),
}


def ssrf(settings: FetchSettings | None = None) -> AttackResult:
    """Each of ``SSRF_CASES`` fetched with private addresses refused (the service's rule)."""
    settings = settings or FetchSettings(timeout_s=5.0)
    began = time.monotonic()
    details: dict[str, str] = {}
    passed = True
    with _target() as (port, seen):
        for label, (host, table) in SSRF_CASES.items():
            t0 = time.perf_counter()
            resolver = TableResolver(table)
            try:
                fetch(
                    f"http://{host}:{port}/private", settings, allow_private=False, resolve=resolver
                )
                outcome, refused = "fetched", False
            except TruthGraphError as exc:
                outcome, refused = f"refused ({str(exc)[:80]})", True
            took_ms = (time.perf_counter() - t0) * 1000
            passed = passed and refused and not seen
            details[label] = f"{outcome}, {took_ms:.0f} ms, target saw {len(seen)} requests"
        # the control: the same target fetched where private addresses are allowed, so the
        # refusals above are the guard's, not a target that could not be reached
        try:
            control = fetch(
                f"http://site.example:{port}/control",
                settings,
                allow_private=True,
                resolve=TableResolver({"site.example": ["127.0.0.1"]}),
            )
            reached = "/control" in seen and "Private page" in control.body.decode()
        except TruthGraphError as exc:
            reached = False
            details["control error"] = str(exc)[:120]
        passed = passed and reached
        details["control (private allowed)"] = "fetched" if reached else "**not fetched**"
    return AttackResult(
        "SSRF",
        f"{len(SSRF_CASES)} names resolving to loopback, through an injected resolver",
        passed,
        time.monotonic() - began,
        details,
    )

"""Web pages and PDFs the tests write, and a real HTTP server on 127.0.0.1 that serves them.

Nothing here reaches an outside address: the server listens on loopback on a free port and
every response is built from the routes the test registers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from truthgraph.bench.sample_sources import (
    BOILERPLATE,
    RIVER_PARAGRAPHS,
    article_html,
    text_pdf,
)

__all__ = [
    "BOILERPLATE",
    "FakeDNS",
    "RIVER_PARAGRAPHS",
    "article_html",
    "loopback_site",
    "report_pdf",
]


def report_pdf(title: str = "Lake Report") -> bytes:
    """A three-page PDF whose second page holds the sentence about Lake Baikal."""
    return text_pdf(
        [
            ["Lakes of Asia. A short report on the deepest lakes of the continent."],
            [
                "Lake Baikal in Siberia is the deepest lake in the world, at 1642 metres.",
                "It holds about a fifth of the fresh surface water on Earth.",
            ],
            ["Lake Toba in Sumatra fills the caldera of a supervolcano."],
        ],
        title=title,
        author="Ilse Marangu",
    )


def scanned_pdf() -> bytes:
    """A PDF whose pages hold no text layer, like a scan."""
    return text_pdf([[], []])


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    location: str | None = None
    delay_s: float = 0.0
    send_length: bool = True  # False: no Content-Length, the body ends when the socket closes


@dataclass
class LoopbackSite:
    """The routes a test serves, and the requests the server saw."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    user_agents: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # the Host header of each request

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


_REAL_GETADDRINFO = socket.getaddrinfo


class FakeDNS:
    """``socket.getaddrinfo`` answering from a table, the way the system resolver would: a
    non-ASCII name is encoded by Python's IDNA 2003 codec (``faß`` becomes ``fass``). A name
    may have a list of answers, one per lookup (a rebinding name); None is a failed lookup.
    Names outside the table go to the real resolver."""

    def __init__(self, table: dict[str, list[str | None]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    @classmethod
    def install(cls, monkeypatch: Any, table: dict[str, list[str | None]]) -> FakeDNS:
        """Put a FakeDNS in place of ``socket.getaddrinfo`` for one test."""
        fake = cls(table)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not name.isascii():
            name = name.encode("idna").decode("ascii")
        if name not in self.table:
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.lookups.append(name)
        answers = self.table[name]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, port))]


@contextmanager
def loopback_site() -> Iterator[LoopbackSite]:
    """A ThreadingHTTPServer on 127.0.0.1 that answers from ``site.routes``."""
    site = LoopbackSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server interface
            site.user_agents.append(self.headers.get("User-Agent", ""))
            site.hosts.append(self.headers.get("Host", ""))
            route = site.routes.get(self.path)
            if route is None:
                route = Route(status=404, body=b"<h1>Not found</h1>")
            if route.delay_s:
                time.sleep(route.delay_s)
            try:
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                if route.location:
                    self.send_header("Location", route.location)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

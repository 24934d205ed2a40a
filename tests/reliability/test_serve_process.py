"""``truthgraph serve`` as a real process on loopback: it believes no client's
X-Forwarded-For unless told which proxies to trust, and SIGTERM stops its work and exits
within seconds however busy it is (issue 33)."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from truthgraph.reliability.processes import Server, scenario_home

pytestmark = [pytest.mark.integration, pytest.mark.models, pytest.mark.slow]

KEY = "tg_serve-process-test-key"


def _long_text(tag: str, sentences: int) -> str:
    return "".join(
        f"The {tag} ledger entry {s} records a shipment of {s * 7} crates to port {s % 97}."
        + ("\n\n" if s % 50 == 49 else " ")
        for s in range(sentences)
    )


def test_forwarded_for_is_ignored_and_sigterm_exits_within_seconds(
    tmp_path: Path, source_home: Path
) -> None:
    home = scenario_home(tmp_path / "home", source_home)
    server = Server(
        home,
        tmp_path / "server.log",
        TRUTHGRAPH_API_KEYS=KEY,
        TRUTHGRAPH_API_RATE_LIMIT_PER_MINUTE="1",
        TRUTHGRAPH_API_RATE_LIMIT_BURST="4",
    ).wait_ready()
    try:
        # a client behind no proxy cannot pick the address its rate limit counts against
        with httpx.Client(base_url=server.url, timeout=30) as anonymous:
            codes = [
                anonymous.get(
                    "/api/v1/collections", headers={"X-Forwarded-For": f"198.51.100.{n}"}
                ).status_code
                for n in range(5)
            ]
        assert codes == [401, 401, 401, 401, 429], codes

        # busy: an upload job embedding thousands of sentences, and a large document being
        # stored in a request
        with server.client(**{"X-API-Key": KEY}) as client:
            lines = [
                json.dumps({"id": f"d{d}", "text": _long_text(f"batch {d}", 1500)})
                for d in range(16)
            ]
            upload = client.post(
                "/api/v1/documents",
                data={"collection": "busy"},
                files={"file": ("big.jsonl", "\n".join(lines).encode(), "application/jsonl")},
            )
            assert upload.status_code == 202, upload.text
            in_flight = threading.Thread(
                target=_post_quietly,
                args=(server.url, {"collection": "busy", "text": _long_text("sync", 8000)}),
                daemon=True,
            )
            in_flight.start()
            time.sleep(3.0)
            job = client.get(f"/api/v1/jobs/{upload.json()['id']}").json()
            assert job["status"] == "running", job
        assert server.process.poll() is None
        stopped_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            code = server.process.wait(30)
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 30 s after SIGTERM")
        seconds = time.monotonic() - stopped_at
        assert code == 0
        assert seconds < 10.0, seconds
    finally:
        server.kill()


def _post_quietly(url: str, body: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # cut off by the shutdown
        httpx.post(url + "/api/v1/documents", json=body, headers={"X-API-Key": KEY}, timeout=120)

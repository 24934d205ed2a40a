"""ASGI middleware: request ids, access logs with per-stage latency, latency metrics, a bound
on request body size, admission of the inference routes at the door, and of multipart
uploads to the upload pool's gate."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from contextvars import ContextVar
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from truthgraph.api.admission import AdmissionGate
from truthgraph.api.error_responses import Overloaded, response_for
from truthgraph.api.prometheus import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str | None] = ContextVar("truthgraph_request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = structlog.get_logger("truthgraph.api.access")


def _json_error(status: int, code: str, message: str) -> tuple[Message, Message]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class RequestContextMiddleware:
    """Gives every request an id (``X-Request-ID``, taken from the request when well-formed),
    times it, logs one structured line (with the verification's stage timings when a route
    recorded them in ``request.state.stages_ms``), observes the latency histogram, and turns
    an unhandled exception into a JSON 500 that carries the request id, never a traceback."""

    def __init__(self, app: ASGIApp, metrics: Metrics, prefixes: Sequence[str] = ()) -> None:
        self.app = app
        self.metrics = metrics
        self.prefixes = (*prefixes, "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = MutableHeaders(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        started_response = False
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", request_id=request_id, path=scope.get("path"))
            status = 500
            if not started_response:
                for message in _json_error(
                    500, "internal_error", f"internal error (request id {request_id})"
                ):
                    await send_with_id(message)
        finally:
            seconds = time.perf_counter() - began
            template = self._template(scope)
            self.metrics.requests.labels(scope.get("method", ""), template, str(status)).observe(
                seconds
            )
            fields: dict[str, Any] = {
                "request_id": request_id,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "route": template,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            }
            client = scope.get("client")
            if client:
                fields["client"] = client[0]
            stages = state.get("stages_ms")
            if stages:
                fields["stages_ms"] = stages
            log.info("request", **fields)
            request_id_var.reset(token)

    def _template(self, scope: Scope) -> str:
        """The matched route's path template with its router prefix (``/api/v1/jobs/{job_id}``),
        so metrics are labelled by route, not by every id."""
        route = scope.get("route")
        path_regex = getattr(route, "path_regex", None)
        template = getattr(route, "path", None)
        if path_regex is None or not isinstance(template, str):
            return "unmatched"
        path = str(scope.get("path", ""))
        for prefix in self.prefixes:
            if path.startswith(prefix) and path_regex.match(path[len(prefix) :]):
                return prefix + template
        return template


class BodySizeLimitMiddleware:
    """Answers 413 when a request declares (``Content-Length``) or sends more than
    ``max_bytes``; the upload limit is enforced again, exactly, by the documents route."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = MutableHeaders(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        for message in _json_error(
            413, "payload_too_large", f"the request body is larger than {self.max_bytes} bytes"
        ):
            await send(message)


class _TooLarge(Exception):
    pass


class AdmissionMiddleware:
    """Admits or turns away a POST to one of ``paths`` before anything else is done for it: on
    the event loop, before its body is read, its key checked or a thread taken. A request let
    in holds its place in the gate until its response is sent; one turned away gets the 503
    with ``Retry-After`` at once. Under a crowd, the wait is then all inside the gate, which
    bounds it (``AdmissionGate``), and none in front of it. ``gate()`` is None while the
    service starts; the route answers 503 itself then."""

    def __init__(
        self,
        app: ASGIApp,
        gate: Callable[[], AdmissionGate | None],
        paths: Collection[str],
    ) -> None:
        self.app = app
        self.gate = gate
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = None
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.paths:
            gate = self.gate()
        if gate is None:
            await self.app(scope, receive, send)
            return
        await admitted(gate, self.app, scope, receive, send)


class UploadAdmissionMiddleware:
    """Admits or turns away a multipart POST to one of ``paths`` (an upload) at the upload
    pool's gate, before its body is read: however slowly its body trickles in, it holds one of
    the gate's few places, and an upload past them gets the 503 with ``Retry-After`` at once
    rather than waiting without bound. The place is held until the response is sent."""

    def __init__(self, app: ASGIApp, gate: AdmissionGate, paths: Collection[str]) -> None:
        self.app = app
        self.gate = gate
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] in self.paths
            and MutableHeaders(scope=scope)
            .get("content-type", "")
            .lower()
            .startswith("multipart/form-data")
        ):
            await self.app(scope, receive, send)
            return
        await admitted(self.gate, self.app, scope, receive, send)


async def admitted(
    gate: AdmissionGate, app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    """Run ``app`` holding a place at ``gate`` until its response is sent, or answer 503 with
    ``Retry-After`` at once where the gate has no place."""
    try:
        gate.enter()
    except Overloaded as exc:
        await response_for(exc)(scope, receive, send)
        return
    try:
        await app(scope, receive, send)
    finally:
        gate.leave()

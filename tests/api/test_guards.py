"""Rate limiter, admission gate and admission middleware on their own."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from truthgraph.api.admission import AdmissionGate
from truthgraph.api.error_responses import Overloaded
from truthgraph.api.middleware import AdmissionMiddleware, UploadAdmissionMiddleware
from truthgraph.api.ratelimit import TokenBucketLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_minute=60, burst=2, clock=clock)
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    clock.now = 1.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_a_zero_rate_turns_limiting_off() -> None:
    limiter = TokenBucketLimiter(rate_per_minute=0, burst=1)
    assert not limiter.enabled
    assert all(limiter.acquire("a") == 0.0 for _ in range(100))


def test_the_limiter_forgets_idle_clients_when_full() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_minute=60, burst=1, clock=clock, max_clients=3)
    for key in "abc":
        limiter.acquire(key)
    clock.now = 10.0
    limiter.acquire("d")
    assert limiter.acquire("a") == 0.0  # forgotten, so it starts with a full bucket


def test_the_gate_admits_up_to_its_depth_then_refuses_with_retry_after() -> None:
    rejected: list[int] = []
    gate = AdmissionGate(max_in_flight=2, retry_after_s=3, on_reject=lambda: rejected.append(1))
    with gate.admit(), gate.admit():
        assert gate.in_flight == 2
        with pytest.raises(Overloaded) as raised, gate.admit():
            pass
        assert raised.value.retry_after_s == 3
    assert gate.in_flight == 0 and rejected == [1]


def test_a_request_heavier_than_the_queue_is_admitted_when_the_queue_is_empty() -> None:
    gate = AdmissionGate(max_in_flight=2, retry_after_s=1)
    with gate.admit(weight=5):
        assert gate.in_flight == 5


def test_the_gate_bounds_the_queue_by_its_measured_drain_rate() -> None:
    clock = Clock()
    gate = AdmissionGate(max_in_flight=100, retry_after_s=1, max_wait_s=2.0, clock=clock)
    assert gate.drain_rate() is None and gate.limit(None) == 100
    for _ in range(40):  # 40 requests done in 10 s: 4 per second
        clock.now += 0.25
        with gate.admit():
            pass
    rate = gate.drain_rate()
    assert rate is not None and 3.5 < rate < 4.5
    assert gate.limit(rate) == 8  # what 4/s drains in 2 s
    with ExitStack() as stack:
        for _ in range(8):
            stack.enter_context(gate.admit())
        with pytest.raises(Overloaded) as raised, gate.admit():
            pass
    # told to come back when the 8 queued ahead have drained at 4/s
    assert raised.value.retry_after_s == 2


def test_a_crowd_turned_away_together_is_told_to_come_back_spread_out() -> None:
    clock = Clock()
    gate = AdmissionGate(max_in_flight=100, retry_after_s=1, max_wait_s=2.0, clock=clock)
    for _ in range(40):  # 4 requests drained a second
        clock.now += 0.25
        with gate.admit():
            pass
    told = []
    with ExitStack() as stack:
        for _ in range(8):
            stack.enter_context(gate.admit())
        for _ in range(40):  # 40 clients refused in the same instant
            with pytest.raises(Overloaded) as raised, gate.admit():
                pass
            told.append(raised.value.retry_after_s)
    assert told[0] == 2  # the queue ahead drains in 2 s
    assert told == sorted(told)  # later arrivals are told later
    # 4 a second come back: the 40 spread over the 10 s the server needs for them
    assert told[-1] >= 11 and max(told.count(t) for t in set(told)) <= 5


def test_the_drain_rate_forgets_old_completions() -> None:
    clock = Clock()
    gate = AdmissionGate(max_in_flight=50, retry_after_s=1, max_wait_s=1.0, clock=clock)
    for _ in range(30):
        with gate.admit():
            pass
    assert gate.drain_rate() is not None
    clock.now += 60
    assert gate.drain_rate() is None and gate.limit(gate.drain_rate()) == 50


class Downstream:
    """An ASGI app that reads the body and answers 200, noting what it was asked; with
    ``fail`` it raises instead, as a route bug would."""

    def __init__(self, gate: AdmissionGate, fail: bool = False) -> None:
        self.gate = gate
        self.fail = fail
        self.bodies: list[bytes] = []
        self.in_flight_seen: list[int] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.bodies.append(message.get("body", b""))
        self.in_flight_seen.append(self.gate.in_flight)
        if self.fail:
            raise RuntimeError("a route bug")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _post(
    app: AdmissionMiddleware | UploadAdmissionMiddleware, path: str, media: str | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"content-type": media} if media else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post(path, content=b"claim", headers=headers)


@pytest.mark.anyio
async def test_the_door_refuses_a_full_queue_before_the_body_is_read() -> None:
    gate = AdmissionGate(max_in_flight=1, retry_after_s=4)
    downstream = Downstream(gate)
    app = AdmissionMiddleware(downstream, lambda: gate, ["/api/v1/verify"])
    with gate.admit():  # the queue is full
        refused = await _post(app, "/api/v1/verify")
        elsewhere = await _post(app, "/api/v1/documents")  # not an admitted path
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "4"
    assert refused.json()["error"]["code"] == "overloaded"
    assert elsewhere.status_code == 200  # the full queue does not hold other paths back
    assert downstream.bodies == [b"claim"]  # only the other path's body was read
    admitted = await _post(app, "/api/v1/verify")
    assert admitted.status_code == 200
    assert downstream.in_flight_seen[-1] == 1  # it held its place while the route ran
    assert gate.in_flight == 0  # and gave it back after the answer


@pytest.mark.anyio
async def test_the_door_gives_the_place_back_when_the_route_fails() -> None:
    gate = AdmissionGate(max_in_flight=1, retry_after_s=1)
    app = AdmissionMiddleware(Downstream(gate, fail=True), lambda: gate, ["/verify"])
    response = await _post(app, "/verify")
    assert response.status_code == 500
    assert gate.in_flight == 0


@pytest.mark.anyio
async def test_the_door_stands_open_while_the_service_starts() -> None:
    gate = AdmissionGate(max_in_flight=1, retry_after_s=1)
    downstream = Downstream(gate)
    app = AdmissionMiddleware(downstream, lambda: None, ["/verify"])
    assert (await _post(app, "/verify")).status_code == 200  # the route answers for itself


@pytest.mark.anyio
async def test_an_upload_past_the_upload_pool_is_refused_before_its_body_is_read() -> None:
    gate = AdmissionGate(max_in_flight=1, retry_after_s=3)
    downstream = Downstream(gate)
    app = UploadAdmissionMiddleware(downstream, gate, ["/api/v1/documents"])
    form = "multipart/form-data; boundary=x"
    with gate.admit():  # one upload in flight (its body still trickling in) fills the pool
        refused = await _post(app, "/api/v1/documents", form)
        json_body = await _post(app, "/api/v1/documents", "application/json")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
    assert refused.json()["error"]["code"] == "overloaded"
    assert json_body.status_code == 200  # not an upload: the route gates its fetch itself
    assert downstream.bodies == [b"claim"]
    admitted = await _post(app, "/api/v1/documents", form)
    assert admitted.status_code == 200 and downstream.in_flight_seen[-1] == 1
    assert gate.in_flight == 0

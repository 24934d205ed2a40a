"""Request dependencies: the app's resources, API keys, and the per-client rate limit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from truthgraph.api.auth import ANONYMOUS, Authenticator, Principal
from truthgraph.api.error_responses import Forbidden, RateLimited, Unauthorized
from truthgraph.api.prometheus import Metrics
from truthgraph.api.ratelimit import TokenBucketLimiter
from truthgraph.api.runtime import Resources, Runtime
from truthgraph.errors import NotFoundError, TruthGraphError
from truthgraph.settings import Settings

API_KEY_HEADER = "X-API-Key"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def resources(request: Request) -> Resources:
    """The app's resources; 503 while the models warm up."""
    return _runtime(request).require()


async def runtime(request: Request) -> Runtime:
    return _runtime(request)


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def metrics(request: Request) -> Metrics:
    value: Metrics = request.app.state.metrics
    return value


ResourcesDep = Annotated[Resources, Depends(resources)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
MetricsDep = Annotated[Metrics, Depends(metrics)]


def presented_key(request: Request) -> str | None:
    """The API key sent in ``X-API-Key`` or ``Authorization: Bearer``."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key.strip()
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


async def principal(request: Request, res: ResourcesDep) -> Principal:
    """The caller; 401 when keys exist and the request has no valid one."""
    key = presented_key(request)
    found = await run_in_threadpool(_authenticator(request).authenticate, key)
    if found is None:
        if key is None:
            raise Unauthorized(
                f"this service needs an API key: send it in the {API_KEY_HEADER} header"
            )
        raise Unauthorized("the API key is not valid")
    request.state.principal = found
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


def require_read(who: Principal, collection: str) -> None:
    """403 unless ``who`` may read ``collection`` (whether it exists or not)."""
    if not who.can_read(collection):
        raise Forbidden(f"this API key may not read collection {collection!r}")


def require_write(who: Principal, collection: str) -> None:
    """403 unless ``who`` may write ``collection`` (whether it exists or not)."""
    if not who.can_write(collection):
        raise Forbidden(f"this API key may not write collection {collection!r}")


def require_visible(who: Principal, collection: str, what: str) -> None:
    """404, as if it did not exist, for a record in a collection ``who`` may not read."""
    if not who.can_read(collection):
        raise NotFoundError(f"no {what}")


class _InCollection(Protocol):
    @property
    def collection(self) -> str: ...


_Record = TypeVar("_Record", bound=_InCollection)


async def find_visible(who: Principal, what: str, lookup: Callable[[], _Record]) -> _Record:
    """``lookup()``'s record, or 404 with the one message ``no <what>`` whether the record is
    missing or in a collection ``who`` may not read, so ids of other tenants cannot be told
    from ids that do not exist."""
    try:
        record = await run_in_threadpool(lookup)
    except NotFoundError:
        raise NotFoundError(f"no {what}") from None
    require_visible(who, record.collection, what)
    return record


def client_key(request: Request) -> str:
    """Who a request counts against: its valid API key, else its client address."""
    key = presented_key(request)
    runtime = _runtime(request)
    if key is not None and runtime.phase == "ready" and runtime.database_error is None:
        try:
            found = _authenticator(request).authenticate(key)
        except TruthGraphError:
            found = None
        if found is not None and found is not ANONYMOUS:
            return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    host = request.client.host if request.client else "unknown"
    return "ip:" + host


async def rate_limit(request: Request, settings: SettingsDep, metrics: MetricsDep) -> None:
    """429 with Retry-After once a client has used up its tokens."""
    limiter: TokenBucketLimiter = request.app.state.limiter
    if not limiter.enabled:
        return
    wait_s = limiter.acquire(await run_in_threadpool(client_key, request))
    if wait_s > 0:
        metrics.rejected.labels("rate_limited").inc()
        raise RateLimited(
            f"rate limit of {settings.api.rate_limit_per_minute} requests per minute exceeded",
            retry_after_s=max(1.0, wait_s),
        )

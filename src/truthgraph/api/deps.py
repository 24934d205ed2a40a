"""Request dependencies: the app's resources, API keys, and the per-client rate limit."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from truthgraph.api.errors import RateLimited, Unauthorized
from truthgraph.api.metrics import Metrics
from truthgraph.api.ratelimit import TokenBucketLimiter
from truthgraph.api.runtime import Resources, Runtime
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


def _valid_key(settings: Settings, key: str | None) -> bool:
    if key is None:
        return False
    candidate = key.encode()
    # compare with every key, so timing does not tell which one nearly matched
    matches = [
        hmac.compare_digest(candidate, k.get_secret_value().encode()) for k in settings.api.keys
    ]
    return any(matches)


async def require_api_key(request: Request, settings: SettingsDep) -> None:
    """Write endpoints need a configured API key (when ``TRUTHGRAPH_API_KEYS`` is set)."""
    if not settings.api.keys:
        return
    key = presented_key(request)
    if key is None:
        raise Unauthorized(
            f"this endpoint needs an API key: send it in the {API_KEY_HEADER} header"
        )
    if not _valid_key(settings, key):
        raise Unauthorized("the API key is not valid")


def client_key(request: Request, settings: Settings) -> str:
    """Who a request counts against: its valid API key, else its client address."""
    key = presented_key(request)
    if settings.api.keys and _valid_key(settings, key):
        assert key is not None
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    host = request.client.host if request.client else "unknown"
    return "ip:" + host


async def rate_limit(request: Request, settings: SettingsDep, metrics: MetricsDep) -> None:
    """429 with Retry-After once a client has used up its tokens."""
    limiter: TokenBucketLimiter = request.app.state.limiter
    wait_s = limiter.acquire(client_key(request, settings))
    if wait_s > 0:
        metrics.rejected.labels("rate_limited").inc()
        raise RateLimited(
            f"rate limit of {settings.api.rate_limit_per_minute} requests per minute exceeded",
            retry_after_s=max(1.0, wait_s),
        )


ApiKeyRequired = Depends(require_api_key)

"""create_app(): the FastAPI application, its middleware, routes and lifespan.

    app = create_app(Settings())                 # builds its own database and models
    app = create_app(settings, parts=p)          # on a store and models you built (tests)

Nothing is built at import time or in ``create_app`` beyond light objects: the lifespan
starts the database, warms the models and the micro-batchers, and starts the job worker,
in the background (``/ready`` says when it is done).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from truthgraph.api.admission import AdmissionGate
from truthgraph.api.deps import rate_limit
from truthgraph.api.error_responses import install_error_handlers
from truthgraph.api.middleware import (
    REQUEST_ID_HEADER,
    AdmissionMiddleware,
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    UploadAdmissionMiddleware,
)
from truthgraph.api.prometheus import Metrics
from truthgraph.api.ratelimit import TokenBucketLimiter
from truthgraph.api.routes import (
    check,
    claims,
    documents,
    health,
    inference,
    jobs,
    search,
    verify,
    web,
)
from truthgraph.api.runtime import Runtime
from truthgraph.settings import Settings
from truthgraph.wiring import ServiceParts

API_PREFIX = "/api/v1"
ADMITTED_PATHS = tuple(
    API_PREFIX + path for path in ("/verify", "/check", "/search", "/embed", "/nli", "/nli/batch")
)
"""The inference routes, admitted at the door (``AdmissionMiddleware``). Document uploads
take their place in the gate later, once the upload or fetch is done."""
UPLOAD_PATHS = tuple(API_PREFIX + path for path in ("/documents", "/check"))
"""The routes that take a multipart upload, admitted at the door to the upload pool's gate
(``UploadAdmissionMiddleware``); their URL fetches enter the same gate in the route."""
DESCRIPTION = """
Verify claims against your own evidence corpus: retrieve evidence (PostgreSQL + pgvector),
score it with an NLI verifier, aggregate a verdict with cited evidence.

Errors are JSON `{"error": {"code", "message"}}`. Once API keys exist (`truthgraph keys add`
or `TRUTHGRAPH_API_KEYS`), every endpoint under `/api/v1` needs one in `X-API-Key` (or
`Authorization: Bearer`), and a key sees only the collections it was given. Every response
carries an `X-Request-ID`.
"""


def create_app(settings: Settings | None = None, parts: ServiceParts | None = None) -> FastAPI:
    """The TruthGraph HTTP service.

    ``settings`` defaults to ``Settings()`` (the ``TRUTHGRAPH_*`` environment). ``parts``,
    when given, supplies the evidence store and the loaded models (left open at shutdown);
    otherwise the lifespan builds them from ``settings``. Either way the verifier is
    assembled by ``wiring.build_verifier``, with the service's micro-batchers as hooks.
    """
    from truthgraph import __version__

    settings = settings or Settings()
    metrics = Metrics()
    runtime = Runtime(settings, metrics, parts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(runtime.close)

    # FastAPIOffline: the same FastAPI, with Swagger UI's files served from the package rather
    # than a CDN, so /docs works on a machine without internet
    app = FastAPIOffline(
        title="TruthGraph",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.runtime = runtime
    app.state.authenticator = runtime.authenticator
    app.state.limiter = TokenBucketLimiter(
        settings.api.rate_limit_per_minute, settings.api.rate_limit_burst
    )
    app.state.verify_limiter = anyio.CapacityLimiter(settings.api.verify_concurrency)
    # the upload pool: threads of its own, and a bound on uploads and fetches in flight
    app.state.upload_limiter = anyio.CapacityLimiter(settings.api.upload_concurrency)
    upload_gate = AdmissionGate(
        settings.api.upload_queue_depth,
        settings.api.retry_after_s,
        on_reject=metrics.rejected.labels("uploads").inc,
    )
    app.state.upload_gate = upload_gate
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(rate_limit)])
    for module in (verify, check, jobs, claims, documents, search, inference):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.build_router(), prefix=API_PREFIX)
    app.include_router(health.build_router(include_in_schema=False))
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    # outermost last: request context -> CORS -> admission -> upload admission -> body size
    # limit -> routes
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.api.max_upload_bytes + 1024 * 1024
    )
    app.add_middleware(UploadAdmissionMiddleware, gate=upload_gate, paths=UPLOAD_PATHS)
    app.add_middleware(AdmissionMiddleware, gate=runtime.admission_gate, paths=ADMITTED_PATHS)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization", "X-API-Key", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "Retry-After", "Location"],
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics, prefixes=(API_PREFIX,))
    return app

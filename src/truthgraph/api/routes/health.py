"""GET /health (liveness), /ready (readiness: 503 until models are warm and the database
answers), /metrics (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from truthgraph.api.deps import MetricsDep, RuntimeDep
from truthgraph.api.schemas import HealthOut, ReadyOut


def build_router(include_in_schema: bool = True) -> APIRouter:
    """The service routes (mounted under /api/v1, and again at the root for probes)."""
    router = APIRouter(tags=["service"], include_in_schema=include_in_schema)

    @router.get("/health", response_model=HealthOut)
    async def health() -> HealthOut:
        """The process is up (it may still be loading models: see /ready)."""
        return HealthOut(status="ok")

    @router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
    async def ready(runtime: RuntimeDep) -> JSONResponse:
        """200 once the models are warm and the database answers; 503 (with Retry-After)
        before that, or when the database is down."""
        retry = {"Retry-After": str(runtime.settings.api.retry_after_s)}
        resources = runtime.resources
        if runtime.phase != "ready" or resources is None:
            failed = runtime.phase in ("failed", "stopped")
            body = ReadyOut(status="failed" if failed else "starting", error=runtime.error)
            return JSONResponse(body.model_dump(), status_code=503, headers=retry)
        models = {"embedding": resources.embedder.name, "nli": resources.nli.name}
        # a fresh connection with a short timeout: answers within a second whatever the
        # database does (a pool would wait for its own timeout)
        error = await run_in_threadpool(runtime.check_database)
        if error is not None:
            body = ReadyOut(status="failed", models=models, database=error)
            return JSONResponse(body.model_dump(), status_code=503, headers=retry)
        body = ReadyOut(
            status="ready",
            models=models,
            backends=resources.backends,
            load_ms=resources.load_ms,
            database="ok",
        )
        return JSONResponse(body.model_dump())

    @router.get("/metrics", response_class=Response)
    async def metrics(metrics: MetricsDep) -> Response:
        """Prometheus metrics: request latency, per-stage latency, batch sizes, queue depth,
        model memory, embedding cache hits."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return router

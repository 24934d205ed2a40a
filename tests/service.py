"""HTTP service fixtures and helpers, shared by tests/api and tests/browser.

One app per test module, on the session's real database and models (the conftests of
tests/api and tests/browser re-export these fixtures). A module sets ``API_SETTINGS = {...}``
to change its app's ``ApiSettings`` (keys, limits).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import structlog
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import DEMO_DIR
from truthgraph.api.app import create_app
from truthgraph.api.runtime import Resources
from truthgraph.bench.loadtest import free_port, wait_ready
from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.ingest.pipeline import ingest, load_documents
from truthgraph.ml.embedder import SentenceTransformerEmbedder
from truthgraph.ml.nli.model import CrossEncoderNLI
from truthgraph.settings import ApiSettings, Settings
from truthgraph.verify.verifier import Verifier
from truthgraph.wiring import ServiceParts, build_verifier

DEMO_COLLECTION = "api-demo"
# quiet defaults for tests: no keys, no rate limit (modules that test them turn them on)
BASE_API_SETTINGS: dict[str, Any] = {"keys": [], "rate_limit_per_minute": 0, "cors_origins": []}


@pytest.fixture(scope="session", autouse=True)
def logs_to_stderr() -> Iterator[None]:
    """Server logs go to stderr in these tests, so command output on stdout stays parseable."""
    previous = structlog.get_config()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    yield
    structlog.configure(**previous)


@pytest.fixture(scope="session")
def demo_collection(
    settings: Settings, database_url: str, embedder_session: SentenceTransformerEmbedder
) -> str:
    """The demo corpus, ingested once for every API test module."""
    store = PgvectorEvidenceStore(database_url)
    try:
        target = store.ensure_collection(
            DEMO_COLLECTION, embedder_session.name, embedder_session.dimension, settings.retrieval
        )
        _, documents = load_documents([DEMO_DIR / "corpus.jsonl"])
        ingest(documents, target, store, embedder_session)
    finally:
        store.close()
    return DEMO_COLLECTION


@pytest.fixture(scope="module")
def api_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    overrides = {**BASE_API_SETTINGS, **getattr(request.module, "API_SETTINGS", {})}
    return settings.model_copy(update={"api": ApiSettings(**overrides)})


@pytest.fixture(scope="module")
def service_parts(
    api_settings: Settings,
    database_url: str,
    embedder_session: SentenceTransformerEmbedder,
    nli_session: CrossEncoderNLI,
) -> Iterator[ServiceParts]:
    """The session's models and a store on its database, shared with each module's app."""
    store = PgvectorEvidenceStore(database_url, max_connections=api_settings.api.db_pool_size)
    yield ServiceParts(store, embedder_session, nli_session)
    store.close()


@pytest.fixture(scope="module")
def verifier(api_settings: Settings, service_parts: ServiceParts) -> Verifier:
    """A verifier built the CLI's way on the app's parts (to compare with the API's answers)."""
    return build_verifier(
        api_settings, service_parts.store, service_parts.embedder, service_parts.nli
    )


@pytest.fixture(scope="module")
def app(api_settings: Settings, service_parts: ServiceParts) -> FastAPI:
    return create_app(api_settings, parts=service_parts)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        runtime = app.state.runtime
        assert runtime.wait_ready(120), runtime.error
        yield test_client


@pytest.fixture(scope="module")
def resources(app: FastAPI, client: TestClient) -> Resources:
    value: Resources = app.state.runtime.require()
    return value


def wait_for_job(client: TestClient, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    """Poll a job until it finishes; its final state."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


@contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port, in a thread; yield its URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, timeout_s=120)
        yield url
    finally:
        server.should_exit = True
        thread.join(60)

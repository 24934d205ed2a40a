"""Shared fixtures: a real embedded PostgreSQL and the real models, each started once."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from truthgraph.db.store import PgvectorEvidenceStore
from truthgraph.ports import LoadedEmbedder, LoadedNLIModel
from truthgraph.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "src" / "truthgraph" / "demo"


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TRUTHGRAPH_HOME for the whole run (the embedded database lives here)."""
    return tmp_path_factory.mktemp("truthgraph-home")


@pytest.fixture(scope="session")
def settings(home: Path) -> Settings:
    return Settings(home=home, database_url=None)


@pytest.fixture(scope="session")
def database_url(settings: Settings) -> str:
    from truthgraph.db.database import database_url as start
    from truthgraph.db.migrate import upgrade

    url = start(settings)
    upgrade(url)
    return url


@pytest.fixture()
def store(database_url: str) -> Iterator[PgvectorEvidenceStore]:
    store = PgvectorEvidenceStore(database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def embedder_session(settings: Settings) -> LoadedEmbedder:
    from truthgraph.wiring import build_embedder

    return build_embedder(settings)


@pytest.fixture(scope="session")
def nli_session(settings: Settings) -> LoadedNLIModel:
    from truthgraph.wiring import build_nli

    return build_nli(settings)


@pytest.fixture()
def embedder(embedder_session: LoadedEmbedder) -> LoadedEmbedder:
    return embedder_session


@pytest.fixture()
def nli(nli_session: LoadedNLIModel) -> LoadedNLIModel:
    return copy.copy(nli_session)


_counter = iter(range(1_000_000))


@pytest.fixture()
def collection_name() -> str:
    """A fresh collection name per test, so tests never see each other's evidence."""
    return f"test-{next(_counter)}"
